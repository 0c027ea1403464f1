"""The default vocabulary of the hotline's categories (默认词表), so that the router routes
sensibly on a new community's first day, before it has any labelled history (cold start).

Written from general knowledge of Chinese neighbourhood governance (社区治理): the words residents,
grid workers (网格员) and property staff use for each kind of request, with common colloquial and
dialect forms and a few frequent miswritings. It was written before the project's test tickets were
read and copies no phrase from them; it must stay that way, or the test set stops measuring
anything.

Each category has *strong* terms, which nearly always mean that category, and *weak* terms, which
lean towards it but also turn up elsewhere (垃圾 is both 环境卫生 and 垃圾分类). Homophone typos of
any term (电体 for 电梯) are matched through pinyin by :mod:`gongzhi.feedback.classify`, so they
need not be listed one by one.

A community's own category that is not listed here is learned from its examples alone; its Chinese
name and any seed words the community gives are used as its vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryWords:
    """One category's default vocabulary."""

    name: str
    strong: tuple[str, ...]
    weak: tuple[str, ...] = ()


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: code -> vocabulary; codes and names follow the 14 categories of the shared ticket format.
DEFAULT_LEXICON: dict[str, CategoryWords] = {
    "sanitation": CategoryWords(
        name="环境卫生",
        strong=_w(
            """
            环境卫生 卫生 脏乱 脏乱差 很脏 太脏 脏兮兮 埋汰 邋遢 臭味 恶臭 发臭 臭气 臭气熏天 异味
            苍蝇 蟑螂 老鼠 鼠患 灭鼠 消杀 蚊虫 乱扔垃圾 乱丢垃圾 垃圾堆 垃圾堆放 垃圾成堆 堆满垃圾
            垃圾清运 清运 没人清理 无人清理 没人打扫 无人打扫 打扫 清扫 保洁 保洁员 清洁工 清洁
            卫生死角 小广告 牛皮癣 乱贴 乱涂乱画 污水横流 化粪池 粪水 油污 痰 烟头 建筑垃圾 装修垃圾
            垃圾满了 满溢 溢出来 垃圾桶满 拉圾 灰尘 扬尘 脏东西 卫生差
            """
        ),
        weak=_w("垃圾 垃圾桶 垃圾箱 垃圾站 垃圾房 垃圾车 楼道 臭 脏 杂物 落叶 积水 污水 蚊子 堆积"),
    ),
    "noise": CategoryWords(
        name="噪音扰民",
        strong=_w(
            """
            噪音 噪声 扰民 吵闹 太吵 吵死 吵得 吵人 睡不着 睡不好 影响休息 影响睡眠 无法入睡 失眠
            夜间施工 施工噪音 装修噪音 电钻 冲击钻 电锯 切割机 砸墙 敲打 敲敲打打 叮叮当当 轰隆 轰鸣
            广场舞 跳舞 音响 音箱 喇叭 大喇叭 高音喇叭 扩音器 麦克风 音乐声 放音乐 放歌 唱歌 卡拉OK
            KTV 外放 喧哗 大声喧哗 喧闹 吆喝 叫卖 鞭炮 放鞭炮 鸣笛 按喇叭 嗡嗡 分贝 练琴 弹琴 钢琴
            跺脚 拖椅子 蹦迪 噪音扰民 吵吵 闹哄哄
            """
        ),
        weak=_w(
            "吵 声音 半夜 深夜 凌晨 午休 夜里 晚上 休息 装修 施工 商铺 门店 促销 烧烤 酒吧 震动 空调外机"
        ),
    ),
    "parking": CategoryWords(
        name="停车",
        strong=_w(
            """
            停车 乱停 乱停车 乱停乱放 违停 违章停车 停车位 车位 占车位 抢车位 地锁 车位锁 私装地锁
            挪车 不挪车 僵尸车 废弃车辆 长期停放 停车费 停车场 地下车库 车库 道闸 路边停车 停车难
            消防通道停车 堵消防通道 占用消防通道 消防车道 人行道停车 电动车停放 电瓶车乱放 乱放
            共享单车 外来车辆 外来车 临时停车 车牌 车辆进出 停放 挡车 堵车 划线 车位划线 停车管理
            泊车 车停 停在 停满
            """
        ),
        weak=_w(
            "车 汽车 小车 私家车 轿车 货车 面包车 三轮车 摩托车 自行车 电动车 电瓶车 占道 挡路 堵路 堵住 出口 进出 充电桩"
        ),
    ),
    "property_repair": CategoryWords(
        name="物业维修",
        strong=_w(
            """
            物业维修 报修 维修 修理 修缮 维护 年久失修 损坏 坏了 坏掉 破损 不亮 灯不亮 路灯 楼道灯
            声控灯 感应灯 灯坏 漏水 渗水 漏雨 屋顶漏 顶楼漏 防水 水管 爆管 水管破裂 下水管 管道 堵塞
            返水 墙皮 墙皮脱落 掉皮 掉墙皮 裂缝 开裂 墙面 外墙 门禁 门禁坏 单元门 门锁 防盗门 对讲
            可视对讲 窗户 玻璃 扶手 栏杆 台阶 地砖 路面 坑洼 楼顶 雨棚 信报箱 屋面 线路老化 老化
            下水道堵 马桶堵 跳闸 修一下 修好 没修 不修 物业不管 物业不作为 维修基金
            """
        ),
        weak=_w("物业 物业费 坏 修 灯 门 墙 楼道 电线 停电 滴水 监控 生锈 松动 脱落"),
    ),
    "elevator": CategoryWords(
        name="电梯",
        strong=_w(
            """
            电梯 电梯故障 电梯坏 电梯停运 停梯 困人 被困 关在电梯 电梯卡 电梯门 夹人 电梯异响 下坠
            急坠 冲顶 蹲底 电梯按钮 轿厢 电梯维保 维保 电梯年检 加装电梯 装电梯 增设电梯 加梯 电梯加装
            电梯井 直梯 扶梯 坐电梯 乘电梯 电梯房 梯控 电梯卡顿 电梯停了 电梯不动 电梯里
            """
        ),
        weak=_w("爬楼 爬楼梯 高层 年检 异响 抖动 晃动 卡住 按键 升降 楼层"),
    ),
    "greenery": CategoryWords(
        name="绿化",
        strong=_w(
            """
            绿化 绿地 绿化带 草坪 草地 树木 大树 树枝 树杈 枝条 修剪 剪枝 修枝 砍树 伐树 移树 树倒
            倒伏 枯树 枯死 死树 遮挡阳光 挡光 遮光 挡住阳光 树根 花坛 花草 花木 种菜 毁绿 毁绿种菜
            私种 开荒 菜地 浇水 杂草 除草 割草 病虫害 虫害 打药 喷药 飞絮 杨絮 柳絮 绿植 灌木 园林
            补种 补植 裸土 黄土裸露 毛毛虫 蚜虫 养护 树叶 树苗 乔木 草皮 踩踏草坪
            """
        ),
        weak=_w("树 草 花 落叶 采光 种 挡窗 枝 叶子 蚊子"),
    ),
    "safety_hazard": CategoryWords(
        name="安全隐患",
        strong=_w(
            """
            安全隐患 隐患 危险 不安全 楼道充电 飞线充电 私拉电线 拉线充电 电动车充电 电瓶车充电 充电
            电瓶 电池 推上楼 火灾 着火 起火 冒烟 失火 消防 消防设施 灭火器 消火栓 消防栓 烟感 喷淋
            应急灯 安全出口 疏散通道 易燃物 易燃 煤气罐 液化气罐 井盖 井盖缺失 井盖松动 窨井 下水井
            高空抛物 高空坠物 坠落 砸到 砸伤 掉下来 摇摇欲坠 倒塌 塌陷 地陷 漏电 电线裸露 配电箱 电箱
            触电 燃气泄漏 护栏 防护栏 深坑 施工围挡 结冰 路滑 安全 防盗 治安 小偷 盗窃 溺水 爆炸
            """
        ),
        weak=_w(
            "电动车 电瓶车 楼道 堆放 杂物 通道 掉落 砸 监控 摄像头 空调外机 广告牌 招牌 坑 摔倒"
        ),
    ),
    "neighbour_dispute": CategoryWords(
        name="邻里纠纷",
        strong=_w(
            """
            邻里纠纷 邻里 纠纷 矛盾 吵架 争吵 打架 骂人 调解 协商 沟通无果 说不通 不讲理 楼上邻居
            楼下邻居 对门 隔壁 邻居 漏到楼下 渗到我家 淹了 天花板渗水 泡坏 赔偿 赔钱 占用楼道
            占用公共空间 公共区域 公共走廊 私占 侵占 霸占 养猫 猫 流浪猫 喂猫 喂流浪猫 猫砂 养鸽子
            鸽子 鸽粪 养鸡 鸡叫 打鸣 鹦鹉 宠物 宠物扰邻 晾衣服 晾晒 空调滴水 油烟 烟味 抽烟 摄像头对着
            对着我家 鞋柜 不讲公德 没素质 楼上 楼下 家门口 门口
            """
        ),
        weak=_w("漏水 滴水 堆放 杂物 楼道 损失 监控 摄像头 气味 商量"),
    ),
    "illegal_construction": CategoryWords(
        name="违章搭建",
        strong=_w(
            """
            违章 违章搭建 违建 违法建设 违法建筑 私搭乱建 乱搭乱建 搭建 私搭 私建 加盖 加建 扩建 搭棚
            彩钢房 彩钢瓦 铁皮房 阳光房 板房 封阳台 封闭阳台 外扩 外挑 楼顶加盖 顶楼加盖 圈地 围墙
            私建围墙 一楼院子 挖地下室 地下室改建 下挖 开挖 承重墙 拆除承重墙 改变房屋结构 破墙开店
            改门 改窗 群租 隔断 城管 拆违 拆除 钢架 砌墙 乱搭 棚子 违规改造 私自改建 改建
            """
        ),
        weak=_w("阳台 地下室 院子 顶楼 楼顶 围栏 搭 盖 建 砌 占用绿地 装修"),
    ),
    "dogs": CategoryWords(
        name="养犬",
        strong=_w(
            """
            狗 犬 养狗 养犬 遛狗 狗绳 牵绳 不牵绳 拴绳 狗链 大型犬 烈性犬 禁养犬 藏獒 金毛 泰迪 哈士奇
            阿拉斯加 柯基 狗叫 犬吠 狗叫声 狂吠 咬人 被咬 狗咬 扑人 狗屎 狗粪 狗粪便 狗尿 流浪狗 流浪犬
            野狗 犬证 狂犬疫苗 狂犬病 嘴套 狗主人 宠物狗 狗狗 汪汪
            """
        ),
        weak=_w("粪便 拉屎 便便 撒尿 乱叫 疫苗 宠物 绳"),
    ),
    "waste_sorting": CategoryWords(
        name="垃圾分类",
        strong=_w(
            """
            垃圾分类 分类 分类投放 投放 定时定点 定时投放 投放时间 投放点 分类点 分类站 分类亭 撤桶
            撤桶并点 桶站 厨余垃圾 厨余 湿垃圾 干垃圾 可回收物 可回收 有害垃圾 其他垃圾 破袋 混投 混装
            混运 督导 督导员 桶边督导 值守 积分 分类积分 回收 旧衣回收 废品回收 分错 不会分 分类标识
            绿桶 灰桶 红桶 蓝桶 扫码投放 垃圾袋 分拣 回收站
            """
        ),
        weak=_w("垃圾 垃圾桶 垃圾房 垃圾站 时间 宣传 志愿者 开放时间"),
    ),
    "utilities": CategoryWords(
        name="供水供暖供气",
        strong=_w(
            """
            供水供暖供气 停水 断水 没水 没有水 水压 水压低 水压小 水流小 水很小 自来水 水质 水黄 黄水
            浑浊 水垢 水表 水费 二次供水 加压泵 热水 暖气 暖气不热 供暖 采暖 取暖 集中供暖 暖气片 地暖
            室温 温度不达标 供热 热力公司 暖气费 采暖费 放气 燃气 天然气 煤气 燃气费 燃气表 燃气公司
            停气 没气 打不着火 燃气灶 壁挂炉 煤气味 通气 供气 水龙头 出水 来水
            """
        ),
        weak=_w("冷 冻 太冷 温度 水 气 停电 电费 电表 供电 不热 冰凉"),
    ),
    "elderly_services": CategoryWords(
        name="为老服务",
        strong=_w(
            """
            为老服务 老人 老年人 独居老人 空巢老人 孤寡老人 高龄老人 失能老人 失能 半失能 行动不便
            腿脚不便 腿脚不好 轮椅 瘫痪 卧床 老伴 子女不在身边 助餐 老年餐桌 助餐点 社区食堂 长者食堂
            送餐 送饭 吃饭难 上门服务 助浴 助洁 助医 陪诊 家庭医生 签约医生 量血压 助行 适老化
            适老化改造 无障碍 紧急呼叫 一键呼叫 呼叫器 探访 关爱 养老 日间照料 照料中心 养老驿站
            托老所 养老服务 高龄津贴 老年卡 老年痴呆 走失 孤独 陪伴 老年 老年活动 老年大学 敬老
            """
        ),
        weak=_w(
            "大爷 大妈 奶奶 爷爷 老太太 老爷子 老两口 上门 洗澡 就医 看病 体检 扶手 防滑 坡道 不会用手机 智能手机 理发 岁"
        ),
    ),
    "suggestion": CategoryWords(
        name="建议",
        strong=_w(
            """
            建议 提议 提个建议 希望 能否 能不能 可否 是否可以 可不可以 增设 增加 添加 开设 开办 举办
            组织 活动 文化活动 兴趣班 课程 讲座 图书室 阅览室 健身器材 健身 篮球场 乒乓球台 儿童乐园
            游乐设施 滑梯 座椅 长椅 凉亭 休息座椅 快递柜 便民 便民服务 表扬 感谢 谢谢 点赞 锦旗 辛苦了
            好评 赞扬 满意 服务周到 热心 改进 完善 优化 志愿服务 社团 合唱团 读书会 亲子活动 夏令营
            托管 四点半课堂 设立 多搞 多组织 加强
            """
        ),
        weak=_w("意见 设施 设置 安装 建设 修建 公示 公开 志愿者 充电桩 孩子 儿童 居民 大家"),
    ),
}


def lookup(code: str, name: str = "") -> CategoryWords | None:
    """The default vocabulary of a category, by its code or else by its Chinese name."""
    if code in DEFAULT_LEXICON:
        return DEFAULT_LEXICON[code]
    for words in DEFAULT_LEXICON.values():
        if name and words.name == name:
            return words
    return None
