"""WGS-84 ↔ GCJ-02, for maps served by Chinese map services.

Points are stored as WGS-84 (what GPS and OpenStreetMap use). Map services licensed in China
(AMap/高德, Tencent, the Chinese tiles of others) draw their tiles in GCJ-02 (国测局坐标, the
"Mars" datum), offset from WGS-84 by a few hundred metres by an obfuscation function that is not
officially published; the formula in use everywhere is the one that leaked and is reproduced by
open-source libraries such as eviltransform (github.com/googollee/eviltransform) and
coordtransform, whose test points ``tests/test_geo.py`` checks against. With such tiles
(``MAP_TILE_CRS = "gcj02"``) the map picker shows a stored point shifted into GCJ-02 and converts
a picked point back before it is stored.

Outside mainland China (a bounding box, as those libraries use) both datums are the same.
The inverse has no closed form; :func:`gcj02_to_wgs84` solves it by fixed-point iteration to a
millimetre.
"""

from __future__ import annotations

from math import cos, fabs, pi, sin, sqrt

#: The Krasovsky 1940 ellipsoid the formula uses: semi-major axis (m) and eccentricity squared.
A = 6378245.0
EE = 0.00669342162296594323

#: The inverse is iterated until the forward transform lands this close (degrees, ≈ 1 mm).
TOLERANCE = 1e-8
MAX_ITERATIONS = 30


def out_of_china(lat: float, lng: float) -> bool:
    """The rough box outside which GCJ-02 equals WGS-84."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x))
    ret += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    ret += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    ret += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x))
    ret += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    ret += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    ret += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    return ret


def _offset(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees (latitude, longitude)."""
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * pi
    magic = 1 - EE * sin(rad_lat) ** 2
    sqrt_magic = sqrt(magic)
    d_lat = (d_lat * 180.0) / ((A * (1 - EE)) / (magic * sqrt_magic) * pi)
    d_lng = (d_lng * 180.0) / (A / sqrt_magic * cos(rad_lat) * pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if out_of_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _offset(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is ``(lat, lng)``."""
    if out_of_china(lat, lng):
        return lat, lng
    wgs_lat, wgs_lng = lat, lng
    for _ in range(MAX_ITERATIONS):
        gcj_lat, gcj_lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
        err_lat, err_lng = gcj_lat - lat, gcj_lng - lng
        if fabs(err_lat) < TOLERANCE and fabs(err_lng) < TOLERANCE:
            break
        wgs_lat, wgs_lng = wgs_lat - err_lat, wgs_lng - err_lng
    return wgs_lat, wgs_lng


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius), for tests and checks."""
    from math import asin, radians

    r = 6371008.8
    p1, p2 = radians(lat1), radians(lat2)
    h = sin((p2 - p1) / 2) ** 2 + cos(p1) * cos(p2) * sin(radians(lng2 - lng1) / 2) ** 2
    return 2 * r * asin(sqrt(h))
