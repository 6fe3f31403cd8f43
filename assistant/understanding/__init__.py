"""Reading what people say: clauses, facts, skills, occupations and intents from one message, with evidence."""
