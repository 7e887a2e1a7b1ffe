"""Schakelpunt: collaboration of MBO schools, municipalities and care providers."""
