"""Static site generator for a Territoire numérique éducatif (TNE) public site.

Pipeline: load (load.py) -> validate (model.py, config.py) -> render (render.py, ics.py)
-> write (write.py). pipeline.py ties the stages together.
"""
