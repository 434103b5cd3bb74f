"""The model: the Mesa model, its phases, decision rules, trust, projects, services, the
scenario schema (config) and the recorder. Imports only sim.io and agents.
"""
