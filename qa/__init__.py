"""Quality tooling (Rasa-free): score the assistant's replies on their content.

Used by `make evaluate` (blind and regression sets), `make test` (gates), and the staff
conversation tests. Talks to the assistant only over its REST channel, so it works against
the freshly trained bot or any running deployment.
"""
