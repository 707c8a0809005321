"""Shapes of areas and points of places, from GeoJSON longitude/latitude to SVG.

Pure: GeoJSON in, numbers and path data out; no database, nothing fetched. The projection
is Web Mercator (as map tiles use), so an optional background of tiles lines up with the
shapes; it is scaled to fit the shapes into the drawing's viewBox. Aachen is small enough
that Mercator's distortion (about 1 % across the city) does not matter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# Rings with more points than this are thinned when drawn: a map of 60 quarters needs no
# surveyor's precision, and the page stays small.
MAX_RING_POINTS = 400


def _position_ok(position) -> bool:
    return (
        isinstance(position, list | tuple)
        and len(position) >= 2
        and all(isinstance(number, int | float) and not isinstance(number, bool) for number in position[:2])
        and -180 <= position[0] <= 180
        and -85 <= position[1] <= 85
    )


def geometry_problems(geometry) -> list[str]:
    """What is wrong with a GeoJSON Polygon or MultiPolygon (empty list: nothing)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        return [_("Die Geometrie ist kein Polygon und kein MultiPolygon.")]
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return [_("Die Geometrie hat keine Koordinaten.")]
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return [_("Ein Polygon hat keinen Ring.")]
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return [_("Ein Ring hat weniger als vier Punkte.")]
            if not all(_position_ok(position) for position in ring):
                return [_("Eine Koordinate ist keine Länge/Breite in Grad (WGS 84).")]
    return []


def point_problems(geometry) -> list[str]:
    """What is wrong with a GeoJSON Point (empty list: nothing)."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return [_("Die Geometrie ist kein Punkt.")]
    if not _position_ok(geometry.get("coordinates")):
        return [_("Eine Koordinate ist keine Länge/Breite in Grad (WGS 84).")]
    return []


def polygons(geometry: dict) -> list[list[list[list[float]]]]:
    """The polygons of a checked Polygon or MultiPolygon, each a list of rings."""
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def outer_points(geometry: dict) -> list[tuple[float, float]]:
    """The points of the outer rings (longitude, latitude)."""
    return [(position[0], position[1]) for polygon in polygons(geometry) for position in polygon[0]]


def centre(geometry: dict) -> tuple[float, float]:
    """The centre of the largest outer ring's bounding box (longitude, latitude): where the
    label or a sketched point goes. Good enough for the compact shapes of city quarters."""
    largest = max(polygons(geometry), key=lambda polygon: len(polygon[0]))[0]
    longitudes = [position[0] for position in largest]
    latitudes = [position[1] for position in largest]
    return (min(longitudes) + max(longitudes)) / 2, (min(latitudes) + max(latitudes)) / 2


def mercator(longitude: float, latitude: float) -> tuple[float, float]:
    """Web Mercator as tiles use it: the world as the unit square, y growing southwards."""
    x = (longitude + 180) / 360
    sine = math.sin(math.radians(latitude))
    y = 0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)
    return x, y


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to the coordinates of an SVG viewBox ``width`` × ``height``."""

    left: float
    top: float
    scale: float
    width: int
    height: int
    margin: int

    @classmethod
    def fit(cls, points: list[tuple[float, float]], *, width: int = 800, margin: int = 12) -> Projection:
        """The projection that fits ``points`` into ``width`` with a ``margin``; the height
        follows from the shapes' proportions."""
        if not points:
            return cls(left=0, top=0, scale=1, width=width, height=width // 2, margin=margin)
        projected = [mercator(longitude, latitude) for longitude, latitude in points]
        xs = [x for x, _y in projected]
        ys = [y for _x, y in projected]
        span_x = max(max(xs) - min(xs), 1e-9)
        span_y = max(max(ys) - min(ys), 1e-9)
        scale = (width - 2 * margin) / span_x
        height = round(span_y * scale) + 2 * margin
        return cls(left=min(xs), top=min(ys), scale=scale, width=width, height=height, margin=margin)

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        x, y = mercator(longitude, latitude)
        return (x - self.left) * self.scale + self.margin, (y - self.top) * self.scale + self.margin

    def path(self, geometry: dict) -> str:
        """SVG path data of a Polygon or MultiPolygon (holes drawn with ``fill-rule=evenodd``)."""
        parts = []
        for polygon in polygons(geometry):
            for ring in polygon:
                step = max(1, math.ceil(len(ring) / MAX_RING_POINTS))
                points = [self(position[0], position[1]) for position in ring[::step]]
                parts.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in points) + " Z")
        return " ".join(parts)

    def tiles(self, url_template: str, *, zoom: int) -> list[tuple[str, float, float, float]]:
        """The background tiles that cover the drawing at ``zoom``: (address, x, y, size)."""
        count = 2**zoom
        size = self.scale / count
        first_x = math.floor((self.left - self.margin / self.scale) * count)
        first_y = math.floor((self.top - self.margin / self.scale) * count)
        last_x = math.floor((self.left + (self.width - self.margin) / self.scale) * count)
        last_y = math.floor((self.top + (self.height - self.margin) / self.scale) * count)
        tiles = []
        for tile_y in range(max(first_y, 0), min(last_y, count - 1) + 1):
            for tile_x in range(max(first_x, 0), min(last_x, count - 1) + 1):
                x = (tile_x / count - self.left) * self.scale + self.margin
                y = (tile_y / count - self.top) * self.scale + self.margin
                tiles.append((url_template.format(z=zoom, x=tile_x, y=tile_y), x, y, size))
        return tiles

    def zoom_for_tiles(self, tile_pixels: int = 256) -> int:
        """The tile zoom whose tiles are drawn at about their own size."""
        return max(0, min(19, round(math.log2(self.scale / tile_pixels))))
