"""reportkit: policy reports written once as structured content, published as PDF and HTML editions."""
__version__ = "0.1.0"
