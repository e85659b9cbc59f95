"""The flag rules, one module per family (docs/science.md §3).

base: what a rule is; context: the indexed data and the shared baselines; timing, sleep,
regularity, mood, adherence: the rules; registry: every rule in order; settings: the thresholds;
explain: life events; usual: each anchor's usual time per day, for the screens.
api/rhythm/flags.py runs them.
"""
