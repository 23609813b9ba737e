"""The safety rule engine: a rulebook as data (``config/safety/``) and a small,
Rasa-free engine that applies it. The public API is ``actions.lib.red_flags``.

    rulebook.py     load and check the YAML rulebook
    signs.py        levels, sign names, building blocks (the contract with the dialogue)
    pipeline.py     the Dutch spaCy pipeline (tokens and lemmas)
    lexicon.py      normalising text, spoken forms, typo tolerance
    doc.py          token arrays, sentences, clauses, questions
    matching.py     patterns -> spaCy Matcher -> sign mentions
    temperature.py  temperatures read from the text
    blocks.py       building blocks resolved by context, context exclusions
    negation.py     negated and past mentions
    hypothesis.py   what-if mentions (conditions, risks, questions)
    person.py       third person (a carer writing about someone else)
    keywords.py     cheap keyword scan (text beyond the analysed part, fall-back)
    engine.py       assess(): the whole analysis
"""
