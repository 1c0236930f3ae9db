-- PostgreSQL roles for Fangkong (docs/deployment.md): an owner that runs migrations and
-- restores, and the role the web app and the worker log in as, with data rights only.
-- Run as a superuser:  psql -v owner_pw="'...'" -v app_pw="'...'" -f roles.sql
-- (PostgreSQL 15+: nobody but the owner creates objects in schema public.)

CREATE ROLE fangkong_owner LOGIN PASSWORD :owner_pw;
CREATE ROLE fangkong_app LOGIN PASSWORD :app_pw CONNECTION LIMIT 200;
CREATE DATABASE fangkong OWNER fangkong_owner ENCODING 'UTF8' TEMPLATE template0;
\connect fangkong

REVOKE ALL ON DATABASE fangkong FROM PUBLIC;
-- TEMPORARY: the lab-result upload stages its rows in a temporary table.
GRANT CONNECT, TEMPORARY ON DATABASE fangkong TO fangkong_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO fangkong_app;

-- Tables and sequences the owner creates from now on (every migration) are the app's to read
-- and write, not to alter or drop.
ALTER DEFAULT PRIVILEGES FOR ROLE fangkong_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO fangkong_app;
ALTER DEFAULT PRIVILEGES FOR ROLE fangkong_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO fangkong_app;  -- UPDATE: bulk loads set them

-- Sessions: a statement that runs away is cut off; an idle transaction does not hold locks.
ALTER ROLE fangkong_app SET statement_timeout = '5min';
ALTER ROLE fangkong_app SET idle_in_transaction_session_timeout = '1min';
ALTER ROLE fangkong_app SET timezone = 'UTC';
ALTER ROLE fangkong_owner SET timezone = 'UTC';
