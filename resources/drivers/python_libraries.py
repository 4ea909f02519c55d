"""Coderoom's library check (server/languages/libraryprobe.h): run like a student's program,
with the name of one library as its argument. Prints the library's version and exits 0 when it
imports; otherwise the import error goes to stderr and the exit code is 1, as for any program.
"""
import importlib
import sys

module = importlib.import_module(sys.argv[1])
print(getattr(module, "__version__", "") or "installed")
