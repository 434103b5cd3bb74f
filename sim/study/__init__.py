"""Studies run on the model: one run, comparisons, what-ifs, sweeps and their analysis,
validation, calibration, docking. Imports sim.model.model and sim.io, never sim.present.
"""
