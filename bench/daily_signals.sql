-- The morning run as plain SQL (DuckDB): the floor for bench/daily_signals.py.
-- The same rules as src/schakelpunt/signals/statutory.py (version 2026.1) and early_warning.py
-- with the default thresholds, over students(number, date_of_birth, qualified, level, prior),
-- absence(number, day, scheduled, absent, reason), the institution's calendar(day, idx,
-- window_start, last_in, first_after), the students in support (a trajectory or an active
-- referral: support(number)) and their open concerns (concerns(number, open_other, unfollowed):
-- concerns not raised by the early warning, and those nobody acted on within the follow-up
-- days). Every student enrolled on $enrolled.

CREATE OR REPLACE MACRO birthday(born, age) AS
    CASE WHEN month(born) = 2 AND day(born) = 29 THEN make_date(year(born) + age, 3, 1)
         ELSE make_date(year(born) + age, month(born), day(born)) END;

-- Statutory reports look back 200 days; illness and suspension never count.
CREATE OR REPLACE TEMP TABLE lookback AS
SELECT a.number AS sid, a.day, a.scheduled, a.absent, a.reason, c.idx, c.window_start,
       CASE WHEN a.reason = 'unauthorised' THEN a.absent ELSE 0 END AS unauth,
       a.reason = 'unauthorised' AND a.scheduled > 0 AND a.absent >= a.scheduled AS whole,
       s.qualified = 1 AS qualified, birthday(s.date_of_birth, 18) AS adult_from,
       birthday(s.date_of_birth, 23) AS rmc_until
FROM absence a JOIN students s USING (number) LEFT JOIN calendar c USING (day)
WHERE a.day BETWEEN $today - 200 AND $today AND a.absent > 0;

-- Runs of whole school days absent without valid reason.
CREATE OR REPLACE TEMP TABLE whole_days AS
SELECT sid, day, idx, unauth, idx - row_number() OVER (PARTITION BY sid ORDER BY idx) AS isl
FROM lookback WHERE whole AND idx IS NOT NULL;

-- 16 uur in 4 weken: walk each student's counting days in order, carrying the last report.
CREATE OR REPLACE TEMP TABLE counting AS
SELECT l.sid, l.day, l.window_start, l.unauth AS hours, w.isl,
       row_number() OVER (PARTITION BY l.sid ORDER BY l.day) AS k,
       sum(l.unauth) OVER (PARTITION BY l.sid ORDER BY l.day) AS cum
FROM lookback l LEFT JOIN whole_days w USING (sid, day)
WHERE l.unauth > 0 AND l.idx IS NOT NULL AND NOT l.qualified AND l.day < l.adult_from;

CREATE OR REPLACE TEMP TABLE counting_before AS
SELECT c.*, coalesce(
    (SELECT max(p.cum) FROM counting p WHERE p.sid = c.sid AND p.day < c.window_start), 0
) AS cum_before_window
FROM counting c;

CREATE OR REPLACE TEMP TABLE sixteen AS
WITH RECURSIVE walk(sid, k, last_end, last_cum, last_isl, fired, since, total) AS (
    SELECT DISTINCT sid, 0::BIGINT, NULL::DATE, NULL::DECIMAL(18, 1), NULL::BIGINT, FALSE,
           NULL::DATE, NULL::DECIMAL(18, 1)
    FROM counting_before
    UNION ALL
    SELECT c.sid, c.k,
           CASE WHEN f.fire THEN c.day ELSE w.last_end END,
           CASE WHEN f.fire THEN c.cum ELSE w.last_cum END,
           CASE WHEN f.fire THEN c.isl ELSE w.last_isl END,
           f.fire, f.since, f.total
    FROM walk w
    JOIN counting_before c ON c.sid = w.sid AND c.k = w.k + 1,
    LATERAL (
        SELECT
            CASE WHEN w.last_end >= c.window_start THEN w.last_end + 1 ELSE c.window_start END
                AS since,
            c.cum - CASE WHEN w.last_end >= c.window_start THEN w.last_cum
                         ELSE c.cum_before_window END AS total
    ) AS t,
    LATERAL (
        SELECT t.since AS since, t.total AS total,
               t.total >= 16 AND NOT coalesce(
                   w.last_end IS NOT NULL AND c.day < w.last_end + 7
                   AND c.isl IS NOT NULL AND c.isl = w.last_isl, FALSE) AS fire
    ) AS f
)
SELECT sid, last_end AS end_day, since, total FROM walk WHERE fired;

-- Langdurig relatief verzuim (under 18) and RMC (18 up to 23), one per run of whole days.
CREATE OR REPLACE TEMP TABLE streaks AS
SELECT sid, isl, min(day) AS start_day, min(idx) AS first_idx, max(idx) AS last_idx
FROM whole_days GROUP BY sid, isl;

CREATE OR REPLACE TABLE reports AS
SELECT '16_in_4' AS kind, s.sid,
       (SELECT min(c.day) FROM counting c WHERE c.sid = s.sid AND c.day BETWEEN s.since AND s.end_day)
           AS start_day,
       s.end_day, s.total
FROM sixteen s
UNION ALL
SELECT kind, sid, start_day, report_day,
       (SELECT sum(w.unauth) FROM whole_days w
        WHERE w.sid = r.sid AND w.isl = r.isl AND w.day <= r.report_day)
FROM (
    SELECT 'long_relative' AS kind, st.sid, st.isl, st.start_day, cal.first_after AS report_day
    FROM streaks st JOIN calendar cal ON cal.day = st.start_day
    JOIN calendar fa ON fa.day = cal.first_after
    JOIN students s ON s.number = st.sid
    WHERE fa.idx BETWEEN st.first_idx AND st.last_idx
      AND s.qualified = 0 AND cal.first_after < birthday(s.date_of_birth, 18)
    UNION ALL
    SELECT 'rmc', st.sid, st.isl, st.start_day, cal.last_in
    FROM streaks st JOIN calendar cal ON cal.day = st.start_day
    JOIN calendar li ON li.day = cal.last_in
    JOIN students s ON s.number = st.sid
    WHERE li.idx BETWEEN st.first_idx AND st.last_idx AND s.qualified = 0
      AND cal.last_in >= birthday(s.date_of_birth, 18)
      AND cal.last_in < birthday(s.date_of_birth, 23)
) AS r;

-- Early warning over the school year so far (from $start), default thresholds.
CREATE OR REPLACE TEMP TABLE year_records AS
SELECT a.number AS sid, a.day, a.scheduled, a.absent, a.reason, c.idx,
       CASE WHEN a.reason = 'unauthorised' THEN a.absent ELSE 0 END AS unauth
FROM absence a LEFT JOIN calendar c USING (day)
WHERE a.day BETWEEN $start AND $today;

CREATE OR REPLACE TEMP TABLE per_student AS
SELECT sid, median(scheduled) AS usual,
       coalesce(sum(scheduled) FILTER (WHERE day >= $recent_from), 0) AS s_r,
       coalesce(sum(unauth) FILTER (WHERE day >= $recent_from), 0) AS u_r,
       count(*) FILTER (WHERE day >= $recent_from AND idx IS NOT NULL) AS n_r,
       coalesce(sum(scheduled) FILTER (WHERE day < $recent_from), 0) AS s_e,
       coalesce(sum(unauth) FILTER (WHERE day < $recent_from), 0) AS u_e,
       count(*) FILTER (WHERE day < $recent_from AND idx IS NOT NULL) AS n_e,
       sum(scheduled) AS s_t, sum(absent) AS a_t, count(*) FILTER (WHERE idx IS NOT NULL) AS n_t
FROM year_records GROUP BY sid;

CREATE OR REPLACE TEMP TABLE days_in AS
SELECT count(*) FILTER (WHERE day >= $recent_from AND day <= $today) AS recent,
       count(*) FILTER (WHERE day >= $start AND day < $recent_from) AS earlier,
       count(*) FILTER (WHERE day >= $start AND day <= $today) AS total
FROM calendar;

CREATE OR REPLACE TEMP TABLE rates AS
SELECT p.sid,
       p.u_r / nullif(p.s_r + p.usual * (d.recent - p.n_r), 0) AS recent_rate,
       coalesce(p.u_e / nullif(p.s_e + p.usual * (d.earlier - p.n_e), 0), 0) AS earlier_rate,
       p.a_t / nullif(p.s_t + p.usual * (d.total - p.n_t), 0) AS total_rate,
       d.earlier AS earlier_days, d.total AS observed
FROM per_student p, days_in d;

CREATE OR REPLACE TEMP TABLE runs AS
SELECT sid, day, idx - min(idx) OVER (PARTITION BY sid, isl) + 1 AS run
FROM (
    SELECT sid, day, idx, idx - row_number() OVER (PARTITION BY sid ORDER BY idx) AS isl
    FROM year_records
    WHERE scheduled > 0 AND absent >= scheduled AND reason <> 'illness' AND idx IS NOT NULL
);

CREATE OR REPLACE TEMP TABLE weekdays AS
SELECT sid, sum(n) AS absent_days, max(n) AS top
FROM (SELECT sid, dayofweek(day) AS wd, count(*) AS n FROM year_records WHERE unauth > 0
      GROUP BY sid, wd)
GROUP BY sid;

CREATE OR REPLACE TEMP TABLE all_factors AS
SELECT sid, 'rising_absence' AS code FROM rates
WHERE earlier_days >= 20 AND recent_rate >= 0.10 AND recent_rate >= earlier_rate * 2
UNION ALL
SELECT sid, 'consecutive_days' FROM runs WHERE day >= $recent_from GROUP BY sid HAVING max(run) >= 3
UNION ALL
SELECT sid, 'chronic_absence' FROM rates WHERE observed >= 20 AND total_rate >= 0.10
UNION ALL
SELECT sid, 'weekday_pattern' FROM weekdays WHERE absent_days >= 6 AND top / absent_days >= 0.6
UNION ALL
SELECT number, 'transition_background' FROM students WHERE prior IN ('none', 'vso', 'pro')
UNION ALL
SELECT number, 'low_level' FROM students WHERE level <= 2
UNION ALL
SELECT number, 'first_weeks' FROM students
WHERE $today >= $enrolled AND $today < $enrolled + INTERVAL 10 WEEK
UNION ALL
-- The birthday horizon: 3 months of 30.5 days, rounded (92 days).
SELECT number, 'turns_18' FROM students JOIN support USING (number)
WHERE birthday(date_of_birth, 18) BETWEEN $today AND $today + 92
UNION ALL
SELECT number, 'turns_23' FROM students
WHERE qualified = 0 AND birthday(date_of_birth, 23) BETWEEN $today AND $today + 92
UNION ALL
SELECT number, 'open_concerns' FROM concerns WHERE open_other > 0
UNION ALL
SELECT number, 'no_follow_up' FROM concerns WHERE unfollowed > 0;

-- Stored only for students with a factor other than context (background, level, first weeks).
CREATE OR REPLACE TABLE factors AS
SELECT DISTINCT * FROM all_factors
WHERE sid IN (SELECT sid FROM all_factors
              WHERE code NOT IN ('transition_background', 'low_level', 'first_weeks'));
