"""Name material: surnames with frequencies, given-name characters, place syllables.

Frequencies follow the published national surname ranking (2020 household registration
statistics), rounded; the tail is lumped so the weights sum to one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_SURNAMES = (
    "王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 黄2.0 赵2.0 吴2.0 周1.9 徐1.4 孙1.3 马1.2 朱1.2 "
    "胡1.1 郭1.1 何1.0 高1.0 林1.0 罗0.9 郑0.8 梁0.8 谢0.7 宋0.6 唐0.6 许0.6 韩0.5 冯0.5 "
    "邓0.5 曹0.5 彭0.5 曾0.5 肖0.4 田0.4 董0.4 袁0.4 潘0.4 于0.4 蒋0.4 蔡0.4 余0.3 杜0.3 "
    "叶0.3 程0.3 苏0.3 魏0.3 吕0.3 丁0.3 任0.3 沈0.3 姚0.3 卢0.3 姜0.3 崔0.3 钟0.2 谭0.2 "
    "陆0.2 汪0.2 范0.2 金0.2 石0.2 廖0.2 贾0.2 夏0.2 韦0.2 付0.2 方0.2 白0.2 邹0.2 孟0.2 "
    "熊0.2 秦0.2 邱0.2 江0.2 尹0.2 薛0.2 闫0.2 段0.2 雷0.2 侯0.2 龙0.2 史0.2 钱0.2 顾0.2"
)
SURNAMES = [tok[0] for tok in _SURNAMES.split()]
SURNAME_P = np.array([float(tok[1:]) for tok in _SURNAMES.split()])
SURNAME_P = SURNAME_P / SURNAME_P.sum()

MALE_CHARS = list("伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣峰建国志文博晨阳")
FEMALE_CHARS = list("芳娜秀英敏静丽艳娟霞燕玲桂兰琳萍红梅莉婷雪颖倩洁慧佳欣怡悦晶月琴云蓉璐瑶")

# (hanzi, pinyin) syllables that read well in place names.
_PLACE = (
    "滨bin 湖hu 梁liang 溪xi 新xin 吴wu 锡xi 山shan 惠hui 蠡li 园yuan 清qing 名ming 荣rong "
    "巷xiang 河he 埒lie 广guang 益yi 扬yang 东dong 南nan 北bei 西xi 太tai 华hua 春chun "
    "江jiang 阳yang 安an 宁ning 金jin 城cheng 桥qiao 塘tang 坊fang 泰tai 丰feng 和he "
    "平ping 兴xing 盛sheng 云yun 龙long 凤feng 梅mei 竹zhu 芦lu 庄zhuang 旺wang 峰feng "
    "港gang 源yuan 鸿hong 景jing 秀xiu 锦jin 嘉jia 瑞rui 祥xiang 康kang 乐le 运yun"
)
PLACE_HANZI = [tok[0] for tok in _PLACE.split()]
PLACE_PINYIN = [tok[1:] for tok in _PLACE.split()]


def place_names(rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
    """`count` distinct two-syllable place roots as (hanzi, pinyin-capitalised)."""
    n = len(PLACE_HANZI)
    pairs = rng.choice(n * (n - 1), size=count, replace=count > n * (n - 1))
    first, second = pairs // (n - 1), pairs % (n - 1)
    second = second + (second >= first)
    zh = [PLACE_HANZI[a] + PLACE_HANZI[b] for a, b in zip(first, second, strict=True)]
    en = [(PLACE_PINYIN[a] + PLACE_PINYIN[b]).capitalize()
          for a, b in zip(first, second, strict=True)]
    return zh, en


def person_names(rng: np.random.Generator, surname_idx: np.ndarray,
                 male: np.ndarray) -> pa.Array:
    """Surname + one or two given characters drawn from sex-typical character lists."""
    n = len(surname_idx)
    m_pool, f_pool = pa.array(MALE_CHARS), pa.array(FEMALE_CHARS)
    c1 = _pick(rng, n, male, m_pool, f_pool)
    c2 = _pick(rng, n, male, m_pool, f_pool)
    two = rng.random(n) < 0.7
    c2 = pc.if_else(pa.array(two), c2, pa.scalar(""))
    return pc.binary_join_element_wise(pa.array(SURNAMES).take(surname_idx), c1, c2, "")


def _pick(rng: np.random.Generator, n: int, male: np.ndarray,
          m_pool: pa.Array, f_pool: pa.Array) -> pa.Array:
    m = m_pool.take(rng.integers(0, len(m_pool), n))
    f = f_pool.take(rng.integers(0, len(f_pool), n))
    return pc.if_else(pa.array(male), m, f)


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Surname indices with realistic frequencies."""
    return rng.choice(len(SURNAMES), size=n, p=SURNAME_P)
