"""The direction model: a RandomForest that predicts whether tomorrow's close is up.

``dataset`` builds targets and time-ordered splits, ``train`` fits the forest,
``evaluate`` scores it against naive baselines, ``figures`` draws the PNGs and
``store`` saves and loads it with a model card and an integrity check.
"""
