"""What the kernel tells staff when infrastructure stands in a trajectory's way, in Dutch.

The trajectory's own letters module says everything about the trajectory itself; these few messages are
the same for every trajectory, so they live here, once.
"""

from datetime import timedelta


def _duration(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minuten"
    return f"{minutes // 60} uur"


def letter_delayed(title: str, waited: timedelta) -> tuple[str, str]:
    """A letter could not be stored for ``waited``: (subject, text) for the staff member handling it."""
    return (f"Brief vertraagd: {title}",
            f"De brief '{title}' kan al {_duration(waited)} niet worden opgeslagen: de documentopslag is niet "
            "bereikbaar. Inspraak blijft het proberen en verstuurt de brief zodra de opslag weer werkt; er gaat "
            "niets verloren. De termijnen lopen door. Meld het aan de beheerder als dit lang duurt.")


def mail_uncertain(subject: str, recipients: list[str]) -> tuple[str, str]:
    """A mail may or may not have gone out (the sending stopped halfway): (subject, text) for staff."""
    return (f"Controleer verzending: {subject}",
            f"Het verzenden van de mail '{subject}' aan {', '.join(recipients)} is halverwege afgebroken. "
            "Het is niet zeker of de mail is aangekomen. Inspraak verstuurt hem niet nog eens, om dubbele post "
            "te voorkomen. Vraag de ontvanger of de mail is aangekomen en stuur hem zo nodig zelf opnieuw.")
