//! The demo catalog: each department's filed list with realistic Neixiang items and materials.

use sqlx::{Postgres, Transaction};

/// A material as "名称|form|份数|必需(1/0)|获取途径".
type Material = &'static str;

struct Item {
    department: &'static str,
    name: &'static str,
    item_type: &'static str,
    days: i32,
    category: &'static str,
    keywords: &'static str,
    pre_guidance: &'static str,
    materials: &'static [Material],
    steps: &'static [(&'static str, bool, &'static str)],
    fees: &'static str,
    remarks: &'static str,
}

const EN: &str = "enterprise_registration";
const PC: &str = "project_construction";
const UT: &str = "utilities";
const LV: &str = "livelihood";
const IMM: &str = "immediate";
const PRO: &str = "promised";

const ID_CARD: Material = "经办人身份证|original|1|1|本人携带";
const LICENSE: Material =
    "营业执照|copy|1|1|市场监督管理局核发，可在“河南政务服务网”下载电子营业执照";

macro_rules! item {
    ($d:expr, $n:expr, $t:expr, $days:expr, $c:expr, $kw:expr, $pg:expr, [$($m:expr),* $(,)?], [$($s:expr),* $(,)?], $fees:expr, $rem:expr) => {
        Item { department: $d, name: $n, item_type: $t, days: $days, category: $c, keywords: $kw, pre_guidance: $pg,
               materials: &[$($m),*], steps: &[$($s),*], fees: $fees, remarks: $rem }
    };
}

const ITEMS: &[Item] = &[
    item!(
        "市场监督管理局",
        "企业设立登记（营业执照）",
        IMM,
        0,
        EN,
        "营业执照 开公司 注册公司 公司设立",
        "名称自主申报",
        [
            "公司登记（备案）申请书|original|1|1|窗口领取或在河南省企业登记全程电子化服务平台填报",
            "公司章程|original|1|1|全体股东签署",
            "股东主体资格证明或自然人身份证|copy|1|1|股东本人提供",
            "法定代表人、董事、监事和经理的任职文件|original|1|1|按公司章程规定的程序产生",
            "住所使用证明（房产证或租赁合同）|copy|1|1|产权人或出租方提供"
        ],
        [],
        "",
        "材料齐全当场办结"
    ),
    item!(
        "市场监督管理局",
        "企业变更登记",
        IMM,
        0,
        EN,
        "营业执照变更 法人变更 地址变更",
        "",
        [
            "变更登记申请书|original|1|1|窗口领取",
            "变更决议或决定|original|1|1|股东会或董事会作出",
            LICENSE
        ],
        [],
        "",
        ""
    ),
    item!(
        "市场监督管理局",
        "企业注销登记",
        PRO,
        3,
        EN,
        "公司注销 简易注销",
        "清税证明办理",
        [
            "注销登记申请书|original|1|1|窗口领取",
            "清算报告或承诺书|original|1|1|清算组出具",
            "清税证明|copy|1|1|税务局窗口办理",
            "营业执照正、副本|original|1|1|企业留存"
        ],
        [],
        "",
        "简易注销公告期20日不计入时限"
    ),
    item!(
        "市场监督管理局",
        "个体工商户设立登记",
        IMM,
        0,
        EN,
        "个体户 营业执照 开店",
        "",
        [
            "个体工商户登记申请书|original|1|1|窗口领取",
            "经营者身份证|original_and_copy|1|1|本人携带",
            "经营场所使用证明|copy|1|1|产权人或出租方提供"
        ],
        [],
        "",
        ""
    ),
    item!(
        "市场监督管理局",
        "食品经营许可",
        PRO,
        10,
        EN,
        "食品许可证 餐饮 饭店 超市",
        "营业执照办理",
        [
            "食品经营许可申请书|original|1|1|窗口领取",
            LICENSE,
            "食品安全管理制度文本|original|1|1|经营者自行制定",
            "经营场所平面布局图|original|1|1|经营者绘制",
            "食品安全管理人员健康证明|copy|1|1|县疾控中心或指定医院体检"
        ],
        [("site_inspection", true, "必要时对经营场所现场核查")],
        "",
        ""
    ),
    item!(
        "税务局",
        "新办纳税人套餐",
        IMM,
        0,
        EN,
        "税务登记 领发票 新办企业",
        "",
        [
            LICENSE,
            "法定代表人身份证|copy|1|1|本人提供",
            ID_CARD,
            "银行开户信息|copy|1|0|开户银行提供"
        ],
        [],
        "",
        "含税务登记、票种核定、发票领用"
    ),
    item!(
        "税务局",
        "发票申领",
        IMM,
        0,
        EN,
        "领发票 增值税发票",
        "",
        [
            ID_CARD,
            "税务UKey或电子税务局账号|original|1|1|首次办理时窗口发放"
        ],
        [],
        "",
        ""
    ),
    item!(
        "税务局",
        "跨区域涉税事项报告",
        IMM,
        0,
        EN,
        "外出经营 跨区域",
        "",
        [
            ID_CARD,
            "跨区域涉税事项报告表|original|1|1|窗口领取或电子税务局填报",
            "外出经营合同|copy|1|0|企业留存"
        ],
        [],
        "",
        ""
    ),
    item!(
        "发展和改革委员会",
        "企业投资项目备案",
        PRO,
        3,
        PC,
        "项目备案 投资备案",
        "项目前期咨询",
        [
            "项目备案申请表|original|1|1|河南省投资项目在线审批监管平台填报",
            LICENSE,
            "项目基本情况说明|original|1|1|企业编制"
        ],
        [],
        "",
        ""
    ),
    item!(
        "发展和改革委员会",
        "政府投资项目可行性研究报告审批",
        PRO,
        20,
        PC,
        "可研批复 可研报告",
        "项目建议书批复",
        [
            "审批申请文件|original|1|1|项目单位出具",
            "可行性研究报告|original|3|1|有资质的咨询机构编制",
            "用地预审与选址意见书|copy|1|1|自然资源局核发"
        ],
        [(
            "expert_review",
            false,
            "组织专家评审，评审时间不计入承诺时限"
        )],
        "",
        ""
    ),
    item!(
        "发展和改革委员会",
        "固定资产投资项目节能审查",
        PRO,
        15,
        PC,
        "节能评估 能评",
        "",
        [
            "节能审查申请|original|1|1|项目单位出具",
            "节能报告|original|2|1|项目单位或咨询机构编制"
        ],
        [("expert_review", false, "专家评审时间不计入承诺时限")],
        "",
        ""
    ),
    item!(
        "自然资源局",
        "建设项目用地预审与选址意见书",
        PRO,
        20,
        PC,
        "用地预审 选址意见书",
        "项目选址咨询",
        [
            "建设项目用地预审与选址申请表|original|1|1|窗口领取",
            "项目建设依据（批准、核准、备案文件）|copy|1|1|发改委出具",
            "建设项目用地预审与选址意见书申请报告|original|1|1|建设单位编制"
        ],
        [("site_inspection", true, "现场踏勘选址")],
        "",
        ""
    ),
    item!(
        "自然资源局",
        "建设用地规划许可证",
        PRO,
        10,
        PC,
        "用地规划许可",
        "",
        [
            "建设用地规划许可申请表|original|1|1|窗口领取",
            "土地出让合同或划拨决定书|copy|1|1|自然资源局留存",
            "宗地图|original|1|1|测绘单位出具"
        ],
        [],
        "",
        ""
    ),
    item!(
        "自然资源局",
        "乡村建设规划许可证",
        PRO,
        10,
        LV,
        "农村建房 宅基地 盖房",
        "农村建房政策咨询",
        [
            "乡村建设规划许可申请表|original|1|1|乡镇便民服务中心领取",
            "申请人身份证、户口簿|copy|1|1|本人提供",
            "宅基地使用证明|copy|1|1|村委会出具",
            "建房设计图或通用图集选型|original|1|1|乡镇提供通用图集"
        ],
        [("site_inspection", true, "乡镇组织现场踏勘")],
        "",
        ""
    ),
    item!(
        "住房和城乡建设局",
        "建设工程规划许可证",
        PRO,
        10,
        PC,
        "工程规划许可",
        "",
        [
            "建设工程规划许可申请表|original|1|1|窗口领取",
            "建设用地规划许可证|copy|1|1|自然资源局核发",
            "建设工程设计方案|original|2|1|设计单位编制"
        ],
        [],
        "",
        ""
    ),
    item!(
        "住房和城乡建设局",
        "建筑工程施工许可证核发",
        PRO,
        7,
        PC,
        "施工许可证 开工",
        "施工图审查咨询",
        [
            "建筑工程施工许可申请表|original|1|1|全国工程建设项目审批管理系统填报",
            "建设工程规划许可证|copy|1|1|住建局核发",
            "施工合同|copy|1|1|建设单位与施工单位签订",
            "施工图设计文件审查合格书|copy|1|1|施工图审查机构出具",
            "建设资金已落实承诺书|original|1|1|建设单位出具"
        ],
        [],
        "",
        ""
    ),
    item!(
        "住房和城乡建设局",
        "房屋建筑和市政基础设施工程竣工验收备案",
        PRO,
        5,
        PC,
        "竣工验收 竣工备案",
        "",
        [
            "竣工验收备案表|original|2|1|窗口领取",
            "工程竣工验收报告|original|1|1|建设单位组织编写",
            "施工单位工程质量保修书|copy|1|1|施工单位出具"
        ],
        [],
        "",
        ""
    ),
    item!(
        "住房和城乡建设局",
        "商品房预售许可",
        PRO,
        10,
        PC,
        "预售证 卖房",
        "",
        [
            "商品房预售许可申请表|original|1|1|窗口领取",
            "建设工程施工许可证|copy|1|1|住建局核发",
            "商品房预售方案|original|1|1|开发企业编制"
        ],
        [("site_inspection", true, "现场查看形象进度")],
        "",
        ""
    ),
    item!(
        "生态环境分局",
        "建设项目环境影响评价报告书审批",
        PRO,
        30,
        PC,
        "环评 环评批复 环境影响报告书",
        "环评分类咨询",
        [
            "环境影响评价审批申请|original|1|1|建设单位出具",
            "环境影响报告书|original|3|1|有能力的技术单位编制",
            "公众参与说明|original|1|1|建设单位编制"
        ],
        [
            ("expert_review", false, "组织技术评估，时间不计入承诺时限"),
            (
                "public_notice",
                false,
                "受理和拟批准前各公示5个工作日，不计入承诺时限"
            )
        ],
        "",
        ""
    ),
    item!(
        "生态环境分局",
        "建设项目环境影响评价报告表审批",
        PRO,
        15,
        PC,
        "环评 环评批复 环境影响报告表",
        "",
        [
            "环境影响评价审批申请|original|1|1|建设单位出具",
            "环境影响报告表|original|2|1|有能力的技术单位编制"
        ],
        [(
            "public_notice",
            false,
            "拟批准前公示5个工作日，不计入承诺时限"
        )],
        "",
        ""
    ),
    item!(
        "生态环境分局",
        "排污许可证核发",
        PRO,
        20,
        PC,
        "排污证 排污许可",
        "",
        [
            "排污许可证申请表|original|1|1|全国排污许可证管理信息平台填报",
            "自行监测方案|original|1|1|企业编制",
            LICENSE
        ],
        [],
        "",
        ""
    ),
    item!(
        "供电公司",
        "低压居民用电报装",
        PRO,
        3,
        UT,
        "用电 通电 电表 装电",
        "",
        [
            "用电人身份证|copy|1|1|本人提供",
            "房屋产权证明或购房合同|copy|1|1|本人提供"
        ],
        [],
        "",
        "供电公司上门装表接电"
    ),
    item!(
        "供电公司",
        "低压非居民用电报装",
        PRO,
        5,
        UT,
        "商业用电 用电 电表",
        "",
        [
            LICENSE,
            "用电地址产权证明或租赁合同|copy|1|1|企业提供",
            ID_CARD
        ],
        [],
        "",
        ""
    ),
    item!(
        "供电公司",
        "高压用电报装",
        PRO,
        15,
        UT,
        "高压用电 变压器 专变",
        "用电方案咨询",
        [
            "用电申请书|original|1|1|窗口领取",
            LICENSE,
            "项目批准（核准、备案）文件|copy|1|1|发改委出具",
            "用电设备清单|original|1|1|企业编制"
        ],
        [("site_inspection", true, "供电方案现场勘查")],
        "",
        ""
    ),
    item!(
        "自来水公司",
        "用水报装",
        PRO,
        5,
        UT,
        "用水 自来水 水表 通水",
        "",
        [
            "用水申请表|original|1|1|窗口领取",
            "房屋产权证明或租赁合同|copy|1|1|本人提供",
            ID_CARD
        ],
        [("site_inspection", true, "现场踏勘接水点")],
        "",
        ""
    ),
    item!(
        "燃气公司",
        "燃气报装",
        PRO,
        7,
        UT,
        "天然气 燃气 通气",
        "",
        [
            "燃气开户申请表|original|1|1|窗口领取",
            "房屋产权证明|copy|1|1|本人提供",
            ID_CARD
        ],
        [("site_inspection", true, "安全条件现场勘察")],
        "",
        "安装费用按物价部门核定标准收取"
    ),
    item!(
        "中国电信内乡分公司",
        "宽带报装",
        PRO,
        3,
        UT,
        "宽带 网络 光纤 装网",
        "",
        [ID_CARD, "安装地址证明|copy|1|0|产权证明或租赁合同"],
        [],
        "",
        ""
    ),
    item!(
        "民政局",
        "最低生活保障申请",
        PRO,
        30,
        LV,
        "低保 生活困难 救助",
        "低保政策咨询",
        [
            "最低生活保障申请书|original|1|1|乡镇便民服务中心领取",
            "户口簿、身份证|copy|1|1|本人提供",
            "家庭经济状况核对授权书|original|1|1|全体家庭成员签字",
            "残疾证、病历等佐证材料|copy|1|0|相关部门或医院出具"
        ],
        [
            ("site_inspection", true, "入户调查"),
            ("public_notice", false, "村（居）公示7天，不计入承诺时限")
        ],
        "",
        ""
    ),
    item!(
        "民政局",
        "残疾人两项补贴申请",
        PRO,
        20,
        LV,
        "残疾人补贴 护理补贴 生活补贴",
        "",
        [
            "残疾人两项补贴申请审批表|original|1|1|乡镇便民服务中心领取",
            "第二代残疾人证|copy|1|1|县残联核发",
            "户口簿、身份证|copy|1|1|本人提供"
        ],
        [],
        "",
        ""
    ),
    item!(
        "民政局",
        "特困人员救助供养",
        PRO,
        30,
        LV,
        "五保 特困 供养",
        "",
        [
            "特困人员救助供养申请书|original|1|1|乡镇便民服务中心领取",
            "户口簿、身份证|copy|1|1|本人提供"
        ],
        [
            ("site_inspection", true, "入户调查"),
            ("public_notice", false, "公示7天，不计入承诺时限")
        ],
        "",
        ""
    ),
    item!(
        "民政局",
        "临时救助",
        PRO,
        10,
        LV,
        "临时困难 急难救助",
        "",
        [
            "临时救助申请书|original|1|1|乡镇便民服务中心领取",
            "户口簿、身份证|copy|1|1|本人提供",
            "困难情况证明材料|copy|1|1|医院、村委会等出具"
        ],
        [],
        "",
        ""
    ),
    item!(
        "人力资源和社会保障局",
        "城乡居民养老保险参保登记",
        IMM,
        0,
        LV,
        "养老保险 农保 参保",
        "",
        ["户口簿、身份证|copy|1|1|本人提供"],
        [],
        "",
        "个人缴费按本人选择的档次缴纳"
    ),
    item!(
        "人力资源和社会保障局",
        "社会保障卡申领",
        IMM,
        0,
        LV,
        "社保卡 补卡 换卡",
        "",
        [
            "身份证|original|1|1|本人携带",
            "近期免冠彩色证件照|original|1|0|窗口可现场拍照"
        ],
        [],
        "",
        "首次申领免费"
    ),
    item!(
        "人力资源和社会保障局",
        "就业创业证申领",
        IMM,
        0,
        LV,
        "失业登记 就业证",
        "",
        [
            "身份证|original|1|1|本人携带",
            "近期免冠照片|original|1|0|窗口可现场拍照"
        ],
        [],
        "",
        ""
    ),
    item!(
        "人力资源和社会保障局",
        "失业保险金申领",
        PRO,
        5,
        LV,
        "失业金 失业保险",
        "",
        [
            "身份证|original|1|1|本人携带",
            "解除或终止劳动合同证明|copy|1|1|原用人单位出具",
            "社会保障卡|original|1|1|本人携带"
        ],
        [],
        "",
        ""
    ),
    item!(
        "医疗保障局",
        "异地就医备案",
        IMM,
        0,
        LV,
        "异地就医 外地看病 备案",
        "",
        [
            "异地就医备案登记表|original|1|1|窗口领取或国家医保服务平台线上办理",
            "身份证或社会保障卡|original|1|1|本人携带"
        ],
        [],
        "",
        ""
    ),
    item!(
        "医疗保障局",
        "城乡居民基本医疗保险参保登记",
        IMM,
        0,
        LV,
        "医保 新农合 参保",
        "",
        ["户口簿、身份证|copy|1|1|本人提供"],
        [],
        "",
        ""
    ),
    item!(
        "医疗保障局",
        "门诊慢特病待遇认定",
        PRO,
        15,
        LV,
        "慢性病 特殊病 门诊慢性病",
        "",
        [
            "门诊慢特病申请表|original|1|1|窗口领取",
            "二级以上医院诊断证明及病历|copy|1|1|就诊医院出具",
            "身份证或社会保障卡|copy|1|1|本人提供"
        ],
        [("expert_review", true, "医疗专家组鉴定")],
        "",
        ""
    ),
    item!(
        "不动产登记中心",
        "不动产转移登记",
        PRO,
        5,
        LV,
        "过户 房产过户 房产证",
        "",
        [
            "不动产登记申请书|original|1|1|窗口领取",
            "不动产权属证书|original|1|1|权利人持有",
            "买卖合同|original|1|1|买卖双方签订",
            "双方身份证|copy|1|1|本人提供",
            "完税凭证|copy|1|1|税务局窗口办理"
        ],
        [],
        "不动产登记费：住宅80元/件，非住宅550元/件",
        ""
    ),
    item!(
        "不动产登记中心",
        "不动产抵押登记",
        PRO,
        5,
        LV,
        "抵押 贷款 房贷",
        "",
        [
            "不动产登记申请书|original|1|1|窗口领取",
            "不动产权属证书|original|1|1|权利人持有",
            "抵押合同与主债权合同|original|1|1|银行提供"
        ],
        [],
        "不动产登记费：住宅80元/件，非住宅550元/件",
        ""
    ),
    item!(
        "不动产登记中心",
        "国有建设用地使用权及房屋所有权首次登记",
        PRO,
        10,
        LV,
        "房产证 首次登记 新房办证",
        "",
        [
            "不动产登记申请书|original|1|1|窗口领取",
            "土地权属证明|copy|1|1|权利人持有",
            "房屋竣工验收资料|copy|1|1|建设单位提供",
            "房屋测绘报告|original|1|1|测绘单位出具"
        ],
        [("site_inspection", true, "必要时实地查看")],
        "不动产登记费：住宅80元/件，非住宅550元/件",
        ""
    ),
    item!(
        "公安局",
        "户口迁入",
        PRO,
        5,
        LV,
        "落户 迁户口 户口",
        "落户条件咨询",
        [
            "户口簿|original|1|1|本人提供",
            "身份证|original|1|1|本人携带",
            "合法稳定住所证明|copy|1|1|房产证或购房合同"
        ],
        [],
        "",
        ""
    ),
    item!(
        "公安局",
        "出生登记（新生儿落户）",
        IMM,
        0,
        LV,
        "新生儿 上户口 报户口 出生落户",
        "",
        [
            "出生医学证明|original|1|1|出生医院签发",
            "父母双方户口簿|original|1|1|本人提供",
            "父母双方身份证|original|1|1|本人携带",
            "结婚证|original|1|0|婚姻登记机关核发（非婚生育的无需提供）"
        ],
        [],
        "",
        "材料齐全当场办结"
    ),
    item!(
        "公安局",
        "居民身份证换领",
        PRO,
        20,
        LV,
        "身份证到期 换身份证 补办身份证",
        "",
        [
            "户口簿|original|1|1|本人提供",
            "原居民身份证|original|1|1|本人携带"
        ],
        [],
        "居民身份证工本费20元（补领40元）",
        "需本人到场采集照片和指纹"
    ),
];

/// Loads the catalog as one filed list (version 1) per department; departments that already
/// have a list are left alone.
pub async fn load(tx: &mut Transaction<'_, Postgres>) -> Result<(), sqlx::Error> {
    let mut departments: Vec<&str> = ITEMS.iter().map(|i| i.department).collect();
    departments.dedup();
    for department in departments {
        let list: Option<i64> = sqlx::query_scalar(
            "INSERT INTO item_lists (department_id, version, status, decided_at)
             SELECT d.id, 1, 'filed', now() FROM departments d
             WHERE d.name = $1 AND NOT EXISTS (SELECT 1 FROM item_lists l WHERE l.department_id = d.id)
             RETURNING id",
        )
        .bind(department)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(list) = list else { continue };
        let center_phone: String = sqlx::query_scalar(
            "SELECT c.phone FROM departments d JOIN centers c ON c.id = d.center_id WHERE d.name = $1",
        )
        .bind(department)
        .fetch_one(&mut **tx)
        .await?;
        for (seq, item) in ITEMS
            .iter()
            .filter(|i| i.department == department)
            .enumerate()
        {
            insert_item(tx, list, seq as i32 + 1, item, &center_phone).await?;
        }
    }
    Ok(())
}

async fn insert_item(
    tx: &mut Transaction<'_, Postgres>,
    list: i64,
    seq: i32,
    item: &Item,
    booking_phone: &str,
) -> Result<(), sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO service_items
            (list_id, seq, name, pre_guidance, item_type, category, promised_days, remarks, keywords,
             scope, method, booking_phone, mailing_address, mailing_recipient, fees)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
                 '内乡县辖区内的企业和群众', '线上申请、预约电话、窗口现场均可申请帮办代办',
                 $10, '内乡县城关镇范蠡大街与菊潭大街交叉口 内乡县行政审批服务中心', '帮办代办服务台', $11)
         RETURNING id",
    )
    .bind(list)
    .bind(seq)
    .bind(item.name)
    .bind(item.pre_guidance)
    .bind(item.item_type)
    .bind(item.category)
    .bind(item.days)
    .bind(item.remarks)
    .bind(item.keywords)
    .bind(booking_phone)
    .bind(item.fees)
    .fetch_one(&mut **tx)
    .await?;
    for (i, m) in item.materials.iter().enumerate() {
        let parts: Vec<&str> = m.split('|').collect();
        let [name, form, copies, mandatory, source] = parts[..] else {
            return Err(sqlx::Error::Protocol(format!("bad demo material {m}")));
        };
        sqlx::query(
            "INSERT INTO item_materials (item_id, seq, name, form, copies, mandatory, source)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(i as i32 + 1)
        .bind(name)
        .bind(form)
        .bind(copies.parse::<i32>().unwrap_or(1))
        .bind(mandatory == "1")
        .bind(source)
        .execute(&mut **tx)
        .await?;
    }
    for (i, (kind, counts, notes)) in item.steps.iter().enumerate() {
        sqlx::query(
            "INSERT INTO item_special_steps (item_id, seq, kind, counts_toward_limit, notes)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i as i32 + 1)
        .bind(kind)
        .bind(counts)
        .bind(notes)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
