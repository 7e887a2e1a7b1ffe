"""Django's makemessages without fuzzy matching: a new Dutch text starts untranslated.

msgmerge's guesses ("Achterhouden" → "Last name") look translated in Poedit and are easy to
accept by mistake; an empty translation is what the catalogue test and the translator look for.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
