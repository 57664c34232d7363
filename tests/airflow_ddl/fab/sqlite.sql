-- FAB auth manager tables (apache-airflow-providers-fab 3.10.2, Airflow 3.3.2), SQLite
-- produced by: airflow db migrate && airflow fab-db migrate (AIRFLOW__CORE__AUTH_MANAGER=...FabAuthManager)
CREATE TABLE ab_user (
	id INTEGER NOT NULL, 
	first_name VARCHAR(256) NOT NULL, 
	last_name VARCHAR(256) NOT NULL, 
	username VARCHAR(512) COLLATE "NOCASE" NOT NULL, 
	password VARCHAR(256), 
	active BOOLEAN, 
	email VARCHAR(512) NOT NULL, 
	last_login DATETIME, 
	login_count INTEGER, 
	fail_login_count INTEGER, 
	created_on DATETIME, 
	changed_on DATETIME, 
	created_by_fk INTEGER, 
	changed_by_fk INTEGER, 
	CONSTRAINT ab_user_pkey PRIMARY KEY (id), 
	CONSTRAINT ab_user_username_uq UNIQUE (username), 
	CONSTRAINT ab_user_email_uq UNIQUE (email), 
	CONSTRAINT ab_user_created_by_fk_fkey FOREIGN KEY(created_by_fk) REFERENCES ab_user (id), 
	CONSTRAINT ab_user_changed_by_fk_fkey FOREIGN KEY(changed_by_fk) REFERENCES ab_user (id)
);

CREATE TABLE ab_role (
	id INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	CONSTRAINT ab_role_pkey PRIMARY KEY (id), 
	CONSTRAINT ab_role_name_uq UNIQUE (name)
);

CREATE TABLE ab_user_role (
	id INTEGER NOT NULL, 
	user_id INTEGER, 
	role_id INTEGER, 
	CONSTRAINT ab_user_role_pkey PRIMARY KEY (id), 
	CONSTRAINT ab_user_role_user_id_role_id_uq UNIQUE (user_id, role_id), 
	CONSTRAINT ab_user_role_user_id_fkey FOREIGN KEY(user_id) REFERENCES ab_user (id) ON DELETE CASCADE, 
	CONSTRAINT ab_user_role_role_id_fkey FOREIGN KEY(role_id) REFERENCES ab_role (id) ON DELETE CASCADE
);

CREATE TABLE ab_permission (
	id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	CONSTRAINT ab_permission_pkey PRIMARY KEY (id), 
	CONSTRAINT ab_permission_name_uq UNIQUE (name)
);

CREATE TABLE ab_view_menu (
	id INTEGER NOT NULL, 
	name VARCHAR(250) NOT NULL, 
	CONSTRAINT ab_view_menu_pkey PRIMARY KEY (id), 
	CONSTRAINT ab_view_menu_name_uq UNIQUE (name)
);

CREATE TABLE ab_permission_view (
	id INTEGER NOT NULL, 
	permission_id INTEGER NOT NULL, 
	view_menu_id INTEGER NOT NULL, 
	CONSTRAINT ab_permission_view_pkey PRIMARY KEY (id), 
	CONSTRAINT ab_permission_view_permission_id_view_menu_id_uq UNIQUE (permission_id, view_menu_id), 
	CONSTRAINT ab_permission_view_permission_id_fkey FOREIGN KEY(permission_id) REFERENCES ab_permission (id), 
	CONSTRAINT ab_permission_view_view_menu_id_fkey FOREIGN KEY(view_menu_id) REFERENCES ab_view_menu (id)
);

CREATE TABLE ab_permission_view_role (
	id INTEGER NOT NULL, 
	permission_view_id INTEGER, 
	role_id INTEGER, 
	CONSTRAINT ab_permission_view_role_pkey PRIMARY KEY (id), 
	CONSTRAINT ab_permission_view_role_permission_view_id_role_id_uq UNIQUE (permission_view_id, role_id), 
	CONSTRAINT ab_permission_view_role_permission_view_id_fkey FOREIGN KEY(permission_view_id) REFERENCES ab_permission_view (id) ON DELETE CASCADE, 
	CONSTRAINT ab_permission_view_role_role_id_fkey FOREIGN KEY(role_id) REFERENCES ab_role (id) ON DELETE CASCADE
);
CREATE INDEX idx_permission_view_id ON ab_permission_view_role (permission_view_id);
CREATE INDEX idx_role_id ON ab_permission_view_role (role_id);

