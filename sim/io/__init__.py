"""Reading and writing safely: the guarded opener for every input, result folders and
single files written atomically and only over what samenspel wrote, the journal, progress.
The lowest layer: it imports nothing else of samenspel.
"""
