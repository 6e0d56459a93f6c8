"""Reports: progress report (进度通报) and shared Excel styling; the county map as PDF."""
