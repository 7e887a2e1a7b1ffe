"""Dutch names for the demo."""


def split_surname(surname: str) -> tuple[str, str]:
    """('van der', 'Ploeg') from 'van der Ploeg' or from 'Ploeg, van der'."""
    if ", " in surname:
        last, prefix = surname.split(", ", 1)
        return prefix, last
    words = surname.split()
    prefix_words = []
    while len(words) > 1 and words[0].islower():
        prefix_words.append(words.pop(0))
    return " ".join(prefix_words), " ".join(words)
