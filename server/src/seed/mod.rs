//! Demo data that feels like Neixiang county: centers, departments, windows and one account
//! per role. Idempotent: running it again changes nothing.

mod catalog;

use sqlx::{PgPool, Postgres, Transaction};

pub const DEMO_PASSWORD: &str = "demo1234";

/// (login, name, role, phone, center, department)
type DemoAccount = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    (
        "13800000001",
        "张秀英",
        "applicant",
        "13800000001",
        None,
        None,
    ),
    // A second applicant, who has forgotten her password (the browser tests reset it).
    (
        "13800000009",
        "赵桂兰",
        "applicant",
        "13800000009",
        None,
        None,
    ),
    (
        "agent01",
        "李帮办",
        "agent",
        "13900000001",
        Some(COUNTY),
        None,
    ),
    (
        "agent02",
        "王代办",
        "agent",
        "13900000002",
        Some("城关镇便民服务中心"),
        None,
    ),
    (
        "agent03",
        "赵站长",
        "agent",
        "13900000003",
        Some("湍东镇八里营村便民服务站"),
        None,
    ),
    (
        "agent04",
        "刘市监",
        "agent",
        "13900000004",
        Some(COUNTY),
        Some("市场监督管理局"),
    ),
    (
        "agent06",
        "吴代办",
        "agent",
        "13900000006",
        Some("湍东镇便民服务中心"),
        None,
    ),
    // A new county agent, not yet in the filed team: not public until the team is filed again.
    (
        "agent05",
        "孙帮办",
        "agent",
        "13900000005",
        Some(COUNTY),
        None,
    ),
    (
        "manager01",
        "陈主任",
        "manager",
        "13900000011",
        Some(COUNTY),
        None,
    ),
    (
        "supervisor01",
        "周科长",
        "supervisor",
        "13900000021",
        Some(COUNTY),
        None,
    ),
    (
        "admin01",
        "系统管理员",
        "admin",
        "13900000031",
        Some(COUNTY),
        None,
    ),
];

const COUNTY: &str = "内乡县行政审批服务中心";

/// (name, kind, parent, address, phone)
const CENTERS: &[(&str, &str, Option<&str>, &str, &str)] = &[
    (
        COUNTY,
        "county_center",
        None,
        "内乡县城关镇范蠡大街与菊潭大街交叉口",
        "0377-65321234",
    ),
    (
        "内乡县不动产登记分大厅",
        "sub_hall",
        Some(COUNTY),
        "内乡县城关镇渚阳大街",
        "0377-65322345",
    ),
    (
        "内乡县公安户政分大厅",
        "sub_hall",
        Some(COUNTY),
        "内乡县城关镇县衙路",
        "0377-65323456",
    ),
    (
        "城关镇便民服务中心",
        "township_center",
        Some(COUNTY),
        "城关镇人民政府一楼",
        "0377-65331111",
    ),
    (
        "湍东镇便民服务中心",
        "township_center",
        Some(COUNTY),
        "湍东镇人民政府一楼",
        "0377-65341111",
    ),
    (
        "夏馆镇便民服务中心",
        "township_center",
        Some(COUNTY),
        "夏馆镇人民政府一楼",
        "0377-65351111",
    ),
    (
        "湍东镇八里营村便民服务站",
        "village_station",
        Some("湍东镇便民服务中心"),
        "湍东镇八里营村村委会",
        "0377-65341234",
    ),
    (
        "夏馆镇夏馆村便民服务站",
        "village_station",
        Some("夏馆镇便民服务中心"),
        "夏馆镇夏馆村村委会",
        "0377-65351234",
    ),
];

/// (center, department)
const DEPARTMENTS: &[(&str, &str)] = &[
    (COUNTY, "市场监督管理局"),
    (COUNTY, "税务局"),
    (COUNTY, "发展和改革委员会"),
    (COUNTY, "自然资源局"),
    (COUNTY, "住房和城乡建设局"),
    (COUNTY, "生态环境分局"),
    (COUNTY, "民政局"),
    (COUNTY, "人力资源和社会保障局"),
    (COUNTY, "医疗保障局"),
    (COUNTY, "供电公司"),
    (COUNTY, "自来水公司"),
    (COUNTY, "燃气公司"),
    (COUNTY, "中国电信内乡分公司"),
    ("内乡县不动产登记分大厅", "不动产登记中心"),
    ("内乡县公安户政分大厅", "公安局"),
];

/// (center, window, department)
const WINDOWS: &[(&str, &str, Option<&str>)] = &[
    (COUNTY, "综合窗口1号", None),
    (COUNTY, "综合窗口2号", None),
    (COUNTY, "综合窗口3号", None),
    (COUNTY, "市场监管窗口", Some("市场监督管理局")),
    (COUNTY, "税务窗口", Some("税务局")),
    (COUNTY, "工程建设窗口", Some("住房和城乡建设局")),
    (COUNTY, "社保医保窗口", Some("人力资源和社会保障局")),
    (
        "内乡县不动产登记分大厅",
        "不动产登记窗口",
        Some("不动产登记中心"),
    ),
    ("内乡县公安户政分大厅", "户政窗口", Some("公安局")),
    ("城关镇便民服务中心", "综合窗口", None),
];

pub async fn load(pool: &PgPool) -> Result<(), sqlx::Error> {
    let hash = app::accounts::ssr::hash_password(DEMO_PASSWORD.into())
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let mut tx = pool.begin().await?;
    for (name, kind, parent, address, phone) in CENTERS {
        sqlx::query(
            "INSERT INTO centers (name, kind, parent_id, address, phone, hours)
             VALUES ($1, $2, (SELECT id FROM centers WHERE name = $3), $4, $5,
                     '周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）')
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(kind)
        .bind(parent)
        .bind(address)
        .bind(phone)
        .execute(&mut *tx)
        .await?;
    }
    for (center, name) in DEPARTMENTS {
        sqlx::query(
            "INSERT INTO departments (center_id, name)
             VALUES ((SELECT id FROM centers WHERE name = $1), $2)
             ON CONFLICT (center_id, name) DO NOTHING",
        )
        .bind(center)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    }
    for (center, name, department) in WINDOWS {
        sqlx::query(
            "INSERT INTO windows (center_id, name, department_id, comprehensive)
             SELECT c.id, $2, d.id, $3 IS NULL FROM centers c
             LEFT JOIN departments d ON d.center_id = c.id AND d.name = $3
             WHERE c.name = $1
             ON CONFLICT (center_id, name) DO NOTHING",
        )
        .bind(center)
        .bind(name)
        .bind(department)
        .execute(&mut *tx)
        .await?;
    }
    for account in DEMO_ACCOUNTS {
        insert_account(&mut tx, account, &hash).await?;
    }
    catalog::load(&mut tx).await?;
    for team in DEMO_TEAMS {
        insert_team(&mut tx, team).await?;
    }
    for package in DEMO_PACKAGES {
        insert_package(&mut tx, package).await?;
    }
    tx.commit().await?;
    // Bookable slots for the next two weeks at the county center and 城关镇; places per slot are
    // the filed agents on duty.
    let cal = app::calendar::ssr::load(pool)
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let today = app::cases::ssr::today_in_beijing();
    for center in [COUNTY, "城关镇便民服务中心"] {
        let id: i64 = sqlx::query_scalar("SELECT id FROM centers WHERE name = $1")
            .bind(center)
            .fetch_one(pool)
            .await?;
        app::reception::ssr::publish(
            pool,
            &cal,
            id,
            today,
            today + chrono::Duration::days(14),
            None,
        )
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    }
    tracing::info!("demo data loaded");
    Ok(())
}

/// Filed packages (一件事): (name, lead department, description, items by name).
type DemoPackage = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);
const DEMO_PACKAGES: &[DemoPackage] = &[
    (
        "开办餐饮店",
        "市场监督管理局",
        "开饭店、小吃店一次办：营业执照、食品经营许可和新办纳税人（领发票）一起申请，材料只交一次。",
        &["企业设立登记（营业执照）", "食品经营许可", "新办纳税人套餐"],
    ),
    (
        "企业投资项目开工",
        "发展和改革委员会",
        "企业投资项目从备案到开工：项目备案、建设工程规划许可、建筑工程施工许可一次申请，由发改委牵头统筹。",
        &["企业投资项目备案", "建设工程规划许可证", "建筑工程施工许可证核发"],
    ),
    (
        "新生儿出生",
        "公安局",
        "宝宝出生后一次办：出生登记（落户）、社会保障卡、城乡居民医保参保。",
        &["出生登记（新生儿落户）", "社会保障卡申领", "城乡居民基本医疗保险参保登记"],
    ),
];

async fn insert_package(
    tx: &mut Transaction<'_, Postgres>,
    (name, lead, description, items): &DemoPackage,
) -> Result<(), sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO packages (version, name, description, lead_department_id, status, submitted_at, decided_at)
         SELECT 1, $1, $2, d.id, 'filed', now(), now() FROM departments d
         WHERE d.name = $3 AND NOT EXISTS (SELECT 1 FROM packages WHERE name = $1)
         RETURNING id",
    )
    .bind(name)
    .bind(description)
    .bind(lead)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(id) = id else { return Ok(()) };
    sqlx::query(
        "INSERT INTO package_items (package_id, seq, item_lineage)
         SELECT $1, n.seq, i.lineage FROM unnest($2::text[]) WITH ORDINALITY AS n(name, seq)
         JOIN service_items i ON i.name = n.name
         JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'",
    )
    .bind(id)
    .bind(items)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Filed demo teams: (center, department, agent login, categories of the items they cover).
/// agent05 at the county center is left out, so the demo shows that only filed agents are public
/// and may be responsible for cases. The village station, its township center and the county
/// center each have a team, so a case can be forwarded up the whole tree.
type DemoTeam = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static [&'static str],
);
const DEMO_TEAMS: &[DemoTeam] = &[
    (
        COUNTY,
        None,
        "agent01",
        &[
            "project_construction",
            "enterprise_registration",
            "utilities",
            "livelihood",
            "other",
        ],
    ),
    (
        "城关镇便民服务中心",
        None,
        "agent02",
        &["livelihood", "other"],
    ),
    (
        "湍东镇便民服务中心",
        None,
        "agent06",
        &["livelihood", "other"],
    ),
    ("湍东镇八里营村便民服务站", None, "agent03", &["livelihood"]),
    (
        COUNTY,
        Some("市场监督管理局"),
        "agent04",
        &["enterprise_registration"],
    ),
];

async fn insert_team(
    tx: &mut Transaction<'_, Postgres>,
    (center, department, agent, categories): &DemoTeam,
) -> Result<(), sqlx::Error> {
    let team: Option<i64> = sqlx::query_scalar(
        "INSERT INTO agent_teams (center_id, department_id, version, status, submitted_at, decided_at)
         SELECT c.id, d.id, 1, 'filed', now(), now() FROM centers c
         LEFT JOIN departments d ON d.center_id = c.id AND d.name = $2
         WHERE c.name = $1 AND ($2::text IS NULL) = (d.id IS NULL)
           AND NOT EXISTS (SELECT 1 FROM agent_teams t WHERE t.center_id = c.id
                           AND t.department_id IS NOT DISTINCT FROM d.id)
         RETURNING id",
    )
    .bind(center)
    .bind(department)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(team) = team else { return Ok(()) };
    let member: i64 = sqlx::query_scalar(
        "INSERT INTO team_members (team_id, account_id)
         SELECT $1, id FROM accounts WHERE login_name = $2 RETURNING id",
    )
    .bind(team)
    .bind(agent)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO team_member_items (member_id, item_lineage)
         SELECT $1, i.lineage FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         WHERE i.category = ANY($2)",
    )
    .bind(member)
    .bind(categories)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO training_records (member_id, held_on, topic, hours) VALUES
            ($1, '2026-03-12', '帮办代办政策与服务流程培训', 4),
            ($1, '2026-06-18', '企业开办“一件事”业务培训', 2.5)",
    )
    .bind(member)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_account(
    tx: &mut Transaction<'_, Postgres>,
    (login, name, role, phone, center, department): &(
        &str,
        &str,
        &str,
        &str,
        Option<&str>,
        Option<&str>,
    ),
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO accounts (login_name, display_name, role, phone, password_hash, center_id, department_id,
                               phone_verified_at)
         VALUES ($1, $2, $3, $4, $5,
                 (SELECT id FROM centers WHERE name = $6),
                 (SELECT d.id FROM departments d JOIN centers c ON c.id = d.center_id
                   WHERE c.name = $6 AND d.name = $7), now())
         ON CONFLICT (login_name) DO NOTHING",
    )
    .bind(login)
    .bind(name)
    .bind(role)
    .bind(phone)
    .bind(hash)
    .bind(center)
    .bind(department)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
