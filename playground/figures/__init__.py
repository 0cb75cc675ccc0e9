"""Plotly figures as pure functions of a lab's snapshot: ``common`` (the builder and the styles every
figure shares), ``history`` (the history charts every lab draws) and one module per lab."""
