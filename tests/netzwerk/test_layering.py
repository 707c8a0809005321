"""The apps depend one way, ``contacts`` ← ``meetings`` ← ``notifications``, in templates
and URL names as in Python imports (which import-linter checks): a lower app's templates
and code never include a higher app's templates, load its template tags or reverse its
URL names. Pages that show several apps are assembled in ``netzwerk``."""

import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
HIGHER = {"contacts": ("meetings", "notifications"), "meetings": ("notifications",)}
# URL namespaces and template tag libraries of each app.
NAMESPACES = {"meetings": ("meetings", "feeds"), "notifications": ("notifications",)}


def tag_libraries(app: str) -> list[str]:
    folder = BASE / app / "templatetags"
    return sorted(path.stem for path in folder.glob("*.py") if path.stem != "__init__") if folder.exists() else []


def references_to(app: str) -> re.Pattern:
    names = "|".join(NAMESPACES[app])
    libraries = "|".join(tag_libraries(app)) or "(?!)"
    return re.compile(
        rf"""["']{app}/[\w./-]+\.(?:html|txt)["']"""  # an include or a render of its template
        rf"""|["'](?:{names}):[\w-]+["']"""  # a URL name of its namespaces
        rf"""|{{%\s*load\b[^%]*\b(?:{libraries})\b"""  # its template tags
    )


def sources(app: str) -> list[Path]:
    files = [*(BASE / app).rglob("*.py"), *(BASE / app).rglob("*.html"), *(BASE / app).rglob("*.txt")]
    return sorted(path for path in files if "migrations" not in path.parts)


@pytest.mark.parametrize(("lower", "higher"), [(low, high) for low, highs in HIGHER.items() for high in highs])
def test_lower_app_never_names_a_higher_app(lower, higher):
    pattern = references_to(higher)

    found = [
        f"{path.relative_to(BASE)}:{number}: {line.strip()}"
        for path in sources(lower)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]

    assert found == []


def test_the_check_recognises_each_kind_of_reference():
    pattern = references_to("meetings")

    assert pattern.search("{% load i18n meeting_tags %}")
    assert pattern.search('{% include "meetings/_feed_links.html" %}')
    assert pattern.search("{% url 'feeds:network' network.slug %}")
    assert pattern.search('reverse("meetings:meeting_detail", args=[uid])')
    assert not pattern.search("Sitzungen (meetings) eines Netzwerks")
