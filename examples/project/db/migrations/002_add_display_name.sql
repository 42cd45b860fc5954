-- Expand: add the new column next to the old one. Old code keeps working; new code writes both.
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN display_name text;
