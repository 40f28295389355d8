"""Settings package: ``base`` holds everything, read from the environment.

``local`` (the default of ``manage.py``) is for development and ``make run``,
``test`` for the suite, ``production`` for deployments. Nothing exists only in
production: the other modules relax a few safety switches, they add nothing.
"""
