"""The backpropagation lab: its configurations, the Discussion's studies, the runs that train
them, the findings and tables computed from the results, and the report that shows them."""
