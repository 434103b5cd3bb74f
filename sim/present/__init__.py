"""What people see: the command line, the workshop app, reports, pages, the animation and
videos, the words of every language. The top layer.
"""
