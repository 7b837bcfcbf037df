-- 09_plpgsql_check.sql — static checks of every leadstore plpgsql function
-- with the plpgsql_check extension (Debian postgresql-15-plpgsql-check):
-- every function of the public schema written in plpgsql (the operations and
-- the ls_* helpers) is checked with every kind of warning turned on, and
-- passes when plpgsql_check reports nothing at the levels `error`, `warning`
-- and `security` (a wrong column or type, an unused or unassigned variable,
-- a dead or missing RETURN, SQL built from unquoted text).  The levels
-- `warning extra` (e.g. an unused parameter: every ls_op_* handler has the
-- signature (p jsonb, p_org uuid) whether it needs the organization or not),
-- `performance` and `compatibility` are reported as diagnostics and allowed.
-- docs/reliability.md explains the choice.
BEGIN;
SELECT * FROM no_plan();

CREATE EXTENSION IF NOT EXISTS plpgsql_check;

CREATE TEMP TABLE checked ON COMMIT DROP AS
  SELECT p.oid::regprocedure AS fn, r.level, r.lineno, r.message, r.detail
    FROM pg_proc p
    JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
    CROSS JOIN LATERAL plpgsql_check_function_tb(
      p.oid,
      coalesce((SELECT t.tgrelid FROM pg_trigger t WHERE t.tgfoid = p.oid LIMIT 1), 0),
      fatal_errors => false, other_warnings => true, extra_warnings => true,
      performance_warnings => true, security_warnings => true, compatibility_warnings => true) r
   WHERE p.pronamespace = 'public'::regnamespace
     AND NOT EXISTS (SELECT 1 FROM pg_depend d  -- not an extension's (pgTAP's, plpgsql_check's)
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e');

CREATE TEMP TABLE functions ON COMMIT DROP AS
  SELECT p.oid::regprocedure AS fn
    FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
   WHERE p.pronamespace = 'public'::regnamespace
     AND NOT EXISTS (SELECT 1 FROM pg_depend d  -- not an extension's (pgTAP's, plpgsql_check's)
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e');

SELECT cmp_ok((SELECT count(*)::int FROM functions WHERE fn::text LIKE 'ls\_op\_%'), '>=',
              (SELECT count(*)::int FROM ls_operations) - 1,
              'the check covers the operations'' plpgsql handlers');

SELECT is((SELECT string_agg(format('%s at line %s: %s%s', c.level, coalesce(c.lineno::text, '-'), c.message,
                                    coalesce(' (' || c.detail || ')', '')), '; ')
             FROM checked c WHERE c.fn = f.fn AND c.level IN ('error', 'warning', 'security')),
          NULL, f.fn::text || ' passes plpgsql_check (no error, warning or security finding)')
  FROM functions f ORDER BY f.fn::text;

SELECT diag(format('allowed: %s: %s at line %s: %s', c.fn, c.level, coalesce(c.lineno::text, '-'), c.message))
  FROM checked c WHERE c.level NOT IN ('error', 'warning', 'security') ORDER BY c.fn::text, c.lineno;

-- the checker itself finds what it must: a function with a wrong column and an unused variable
CREATE FUNCTION pg_temp.ls_broken() RETURNS int LANGUAGE plpgsql AS $$
DECLARE unused int;
BEGIN
  RETURN (SELECT no_such_column FROM gmaps_campaigns LIMIT 1);
END $$;
SELECT ok(EXISTS (SELECT 1 FROM plpgsql_check_function_tb('pg_temp.ls_broken()'::regprocedure, fatal_errors => false)
                   WHERE level = 'error'),
          'plpgsql_check reports a wrong column as an error');
SELECT ok(EXISTS (SELECT 1 FROM plpgsql_check_function_tb('pg_temp.ls_broken()'::regprocedure, fatal_errors => false)
                   WHERE level = 'warning' AND message LIKE 'unused variable%'),
          'plpgsql_check reports an unused variable as a warning');

SELECT * FROM finish();
ROLLBACK;
