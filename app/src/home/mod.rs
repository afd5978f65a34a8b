//! The public home page: what the service is and how to start.

use crate::error::AppError;
use leptos::prelude::*;

/// The county center's name and booking phone, for people who would rather call.
#[server(endpoint = "home/contact")]
pub async fn county_contact() -> Result<(String, String), AppError> {
    let pool = crate::state::pool()?;
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT name, phone FROM centers WHERE kind = 'county_center' AND retired_at IS NULL LIMIT 1",
    )
    .fetch_optional(&pool)
    .await?;
    Ok(row.unwrap_or_default())
}

#[component]
pub fn HomePage() -> impl IntoView {
    let contact = Resource::new(|| (), |_| county_contact());
    view! {
        <section class="hero">
            <h1>"政务服务帮办代办"</h1>
            <p class="lead">
                "办事不会办、没空跑、行动不便？县、乡、村三级帮办代办员免费为您"
                "解答咨询、检查材料、一次告知缺什么、代您到窗口递交，并把结果送到家。"
            </p>
            <a href="/register" class="button primary big">"用手机号注册并申请"</a>
            <a href="/login" class="button big">"已有账号，登录"</a>
        </section>

        <section class="card">
            <h2>"找办事事项"</h2>
            <form class="search-form" action="/catalog" method="get" role="search">
                <label class="visually-hidden" for="q">"事项名称"</label>
                <input id="q" type="search" name="q" placeholder="如：营业执照"/>
                <button type="submit" class="button">"搜索"</button>
            </form>
            <ul class="category-links">
                {shared::catalog::Category::ALL.into_iter().take(4).map(|c| view! {
                    <li><a class="button" href=format!("/catalog?category={}", c.as_str())>{c.label()}</a></li>
                }).collect_view()}
            </ul>
        </section>

        <section class="card">
            <h2>"怎么申请"</h2>
            <ol class="steps">
                <li><strong>"提出申请"</strong>"：手机在线填写申请表，或拨打下方的预约电话、到村（社区）便民服务站由代办员帮您登记。"</li>
                <li><strong>"材料审核"</strong>"：代办员收到申请后1个工作日内审核材料，缺少的材料一次性告诉您，并说明到哪里办。"</li>
                <li><strong>"窗口递交"</strong>"：材料齐全后2个工作日内，由代办员陪同或代您到窗口递交。"</li>
                <li><strong>"结果送达"</strong>"：办好后可窗口领取、上门送达或免费邮寄。"</li>
            </ol>
        </section>

        <section class="card">
            <h2>"两种服务方式"</h2>
            <dl class="modes">
                <dt>"帮办"</dt>
                <dd>"代办员帮您准备齐全材料，再带您到窗口办理。"</dd>
                <dt>"代办"</dt>
                <dd>"您交齐材料、签好委托协议后，由代办员全程替您办理。行动不便的群众任何事项都可申请代办。"</dd>
            </dl>
            <p class="hint">"除法律法规规定必须由您缴纳的费用外，帮办代办服务一律免费。"</p>
        </section>

        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                contact.await.ok().filter(|(_, phone)| !phone.is_empty()).map(|(name, phone)| view! {
                    <section class="card call-us">
                        <h2>"电话预约"</h2>
                        <p>{format!("{name}预约电话：")}<a class="phone big-phone" href=format!("tel:{phone}")>{phone.clone()}</a></p>
                        <p class="hint">"工作日拨打，代办员帮您登记申请，或约好上门时间。"</p>
                    </section>
                })
            })}
        </Suspense>
    }
}
