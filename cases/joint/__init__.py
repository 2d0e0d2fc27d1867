"""联合会办: a joint handling's organs and their parts (clocks), meeting records and acceptance disputes.

Each public function is one unit of work inside the caller's transaction: the rows, the clocks and
the audit event commit together or not at all.
"""
