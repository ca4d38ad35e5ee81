"""Exporters turn the results model into other formats; none of them knows about another."""
