"""Commands that change the domain: `<entity>_<verb>(*, ...)`, each one atomic and audited.

Views, forms, the API and flows call these; nothing else writes domain records.
"""
