"""Interpersonal therapy's records (docs/api-ipt.md): the interpersonal inventory
(`inventory`), problem-area goals and their reviews (`goals`, over the course: `course`),
between-session tasks (`tasks`) and the versioned relapse-prevention plan (`relapse_plan`,
whose signs match flags through `signals`). Who may do what is api/services/access.py's."""
