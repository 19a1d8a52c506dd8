"""The numbers of Individuate.

This package holds the quantitative core of Individuate: the psychometrics that
tell us how far a questionnaire's scores can be trusted (internal consistency,
item–total correlations, reliable change), and the coupling engine that models how
a parent's and a child's daily moods move together (``dynamics.coupling``, with a
CSV reader in ``dynamics.io`` and a command line, ``python -m dynamics``). It
depends only on numpy, scipy and pyarrow, never on Django, so it can be imported, tested and
reused on its own — in a notebook, a script or a different application.
"""
