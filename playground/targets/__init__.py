"""The toy labs' target distributions p_data (exact pdfs and samplers) and uploaded points parsed as data."""
