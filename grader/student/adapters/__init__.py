"""Side: student process."""
