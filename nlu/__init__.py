"""Reading text: the BERT intent classifier, entities, language, and the parser combining them."""
