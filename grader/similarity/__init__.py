"""Which students handed in code too alike: every pair of a class compared, per assignment.

`grader.similarity.compare.compare_class` reads each student's files as grading does
(`grader.similarity.collect`), fingerprints them with copydetect (`grader.similarity.fingerprint`:
comments, docstrings, whitespace, names and the order of functions do not hide a copy) less
what every student receives, and scores each pair of students by the Dice coefficient of their
fingerprint sets: 2·|A ∩ B| / (|A| + |B|), 0 when they share nothing, 1 for the same code.
Fingerprints found in more than max(COMMON_MIN, COMMON_FRACTION × the class) submissions are not
counted either: code that half the class writes alike is the course's idiom, not a copy.

Memory stays flat in the number of pairs: every score goes into a histogram as it is computed,
and only the `limit` highest pairs at or above `threshold` per assignment are kept, with their
matching regions and a side-by-side page. It writes ``OUT/similarity.json``,
``OUT/similarity.html`` and ``OUT/similarity/`` (one page per pair kept; replaced on each run).

Modules: `collect` (each student's files, as grading reads them), `fingerprint` (copydetect),
`compare` (the pairs), `model` (the results, plain data), `report` (JSON and HTML). Only
`model` may be imported where copydetect is not wanted yet: the others load it (and matplotlib).
"""
