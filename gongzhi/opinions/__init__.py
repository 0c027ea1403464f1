"""Opinion maps (意见地图): the Polis method, its open-data CSV layout and a command-line tool."""
