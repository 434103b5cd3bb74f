"""The phases of a month, one module each, in the order RegionModel.step runs them:

budget (budget year, dues, shocks) -> politics (elections, exits, chairs) -> tables (agenda,
meetings, decisions) -> coalitions (formation, delivery, late entry, close).
"""
