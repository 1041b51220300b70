SELECT count(*) FROM redecided
