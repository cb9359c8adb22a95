"""Side: student process (code that runs beside the student's code)."""
