-- Custom migration (drizzle-kit generate --custom): a completed item's completing attempt is no
-- longer stored in `history`; the item detail derives it from attempts, claimed_by, claimed_at
-- and completed_at (db/store/sqlite/rows.ts). Completed items stored before this carry it as
-- their last entry: drop it there, and only where it is that very attempt.
UPDATE `items` SET `history` = json_remove(`history`, '$[#-1]')
  WHERE `status` = 'completed'
    AND json_extract(`history`, '$[#-1].outcome') = 'completed'
    AND json_extract(`history`, '$[#-1].attempt') IS `attempts`
    AND json_extract(`history`, '$[#-1].ended_at') IS `completed_at`
    AND json_extract(`history`, '$[#-1].claimed_at') IS `claimed_at`;
