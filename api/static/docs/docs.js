// Kept out of the HTML so the page works under a Content-Security-Policy without inline scripts.
window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui" });
