"""Approval and rejection letters: content snapshot, font, and PDF rendering.

content.py  what a letter says (plain data, JSON round-trip)
fonts.py    the letter font, built once from the system's WenQuanYi Zen Hei
render.py   LetterContent → PDF/A-3u bytes with the templates in templates/letters/
samples.py  realistic sample letters without a database
"""
