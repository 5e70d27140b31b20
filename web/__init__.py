"""Server-rendered pages for job seekers, employers and coaches."""
