from importlib import metadata


def version_string():
    try:
        return metadata.version('karbor')
    except metadata.PackageNotFoundError:
        return 'unknown'
