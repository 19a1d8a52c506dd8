"""The numbers of Individuate.

This package holds the quantitative core of Individuate: today the psychometrics
that tell us how far a questionnaire's scores can be trusted (internal consistency,
item–total correlations, reliable change), and later the coupling engine that models
how a parent's and a child's states move together. It depends only on numpy (and
scipy where noted), never on Django, so it can be imported, tested and reused on its
own — in a notebook, a script or a different application.
"""
