DELETE FROM held_inputs WHERE kind = 'usage'
