"""The absl trainers (``python -m trainers.train ...``).

Importing the package imports TensorFlow with its start-up logs off, before any trainer
module does, unless the command line has ``--verbose``, and keeps XLA's compiled programs
on disk for the next run (see `pixel_zoo.console`).
"""

from pixel_zoo import console

console.use_compilation_cache()
console.quiet_tensorflow(console.verbose_requested())
